namespace Microsoft.ML.Rnn;

/// <summary>How the linear output head reads the recurrent stack: the sequence structure of the model.</summary>
public enum RnnHead
{
    /// <summary>
    /// N vs 1: one output for the whole sequence, from the top layer's final state (its output at the sequence's
    /// last real step; bidirectional: forward final state concatenated with the backward state after step 0).
    /// </summary>
    ManyToOne,

    /// <summary>N vs N: one output per input step, the head applied to every step's top-layer output.</summary>
    ManyToMany,
}
