using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Upper bounds on sizes, checked when training starts and when a model file is read, so a corrupt or hostile
/// file cannot make the reader allocate absurd amounts of memory. The network sizes are the core's own limits
/// (<see cref="RnnNetworkShape.MaxDimension"/>, <see cref="RnnNetworkShape.MaxLayers"/>).
/// </summary>
internal static class RnnLimits
{
    /// <summary>Most features per step.</summary>
    public const int MaxInputSize = RnnNetworkShape.MaxDimension;

    /// <summary>Most hidden units per layer and direction.</summary>
    public const int MaxHiddenSize = RnnNetworkShape.MaxDimension;

    /// <summary>Most stacked layers.</summary>
    public const int MaxLayers = RnnNetworkShape.MaxLayers;

    /// <summary>Most outputs per step (regression outputs or classes).</summary>
    public const int MaxOutputSize = RnnNetworkShape.MaxDimension;

    /// <summary>Most output steps a decoder emits (<see cref="RnnNetworkShape.OutputLength"/>).</summary>
    public const int MaxOutputLength = RnnNetworkShape.MaxDimension;

    /// <summary>Most characters in a column name or key value.</summary>
    public const int MaxStringBytes = 1 << 20;

    /// <summary>Most named parameter tensors.</summary>
    public const int MaxParameterTensors = 4096;

    /// <summary>Most dimensions of one parameter tensor.</summary>
    public const int MaxTensorRank = 4;

    /// <summary>Most series columns.</summary>
    public const int MaxSeriesColumns = MaxInputSize;
}
