using System.Runtime.CompilerServices;
using Microsoft.ML.Rnn;
using Microsoft.ML.Rnn.Core;

// These public types moved to Microsoft.ML.Rnn.Core.dll (same names and namespaces). Code compiled against an
// earlier Microsoft.ML.Rnn.dll still finds them here.
[assembly: TypeForwardedTo(typeof(RnnCellType))]
[assembly: TypeForwardedTo(typeof(RnnHead))]
[assembly: TypeForwardedTo(typeof(RnnNonlinearity))]
[assembly: TypeForwardedTo(typeof(RnnOptimizerKind))]
[assembly: TypeForwardedTo(typeof(RnnInitialization))]
[assembly: TypeForwardedTo(typeof(RnnLoss))]
[assembly: TypeForwardedTo(typeof(RnnNetwork))]
[assembly: TypeForwardedTo(typeof(RnnNetworkShape))]
[assembly: TypeForwardedTo(typeof(RnnTrainingOptions))]
[assembly: TypeForwardedTo(typeof(RnnTrainingSession))]
[assembly: TypeForwardedTo(typeof(SequenceBatch))]
