namespace Microsoft.ML.Rnn;

/// <summary>
/// The sequence structure of the model (the tutorial's four): how many outputs a sequence gets and what they read.
/// </summary>
public enum RnnHead
{
    /// <summary>
    /// N vs 1: one output for the whole sequence, from the top layer's final state (its output at the sequence's
    /// last real step; bidirectional: forward final state concatenated with the backward state after step 0).
    /// </summary>
    ManyToOne,

    /// <summary>N vs N: one output per input step, the head applied to every step's top-layer output.</summary>
    ManyToMany,

    /// <summary>
    /// 1 vs N: one input vector per row, and a unidirectional recurrent stack that emits
    /// <see cref="Core.RnnNetworkShape.OutputLength"/> steps from it: the vector enters at the first step only
    /// (<see cref="RnnDecoderInput.InitialState"/>) or at every step (<see cref="RnnDecoderInput.EveryStep"/>).
    /// </summary>
    OneToMany,

    /// <summary>
    /// N vs M: an encoder (the recurrent stack over the input sequence) forms a context (<see cref="RnnContext"/>)
    /// that a unidirectional decoder of the same cell, hidden size and layer count reads
    /// (<see cref="RnnDecoderInput"/>) while it emits <see cref="Core.RnnNetworkShape.OutputLength"/> steps.
    /// </summary>
    EncoderDecoder,
}
