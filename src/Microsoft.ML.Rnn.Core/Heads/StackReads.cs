namespace Microsoft.ML.Rnn.Core;

/// <summary>Which parts of the <see cref="StackOutput"/> a head reads, and so which gradients its backward pass gives.</summary>
[Flags]
internal enum StackReads
{
    None = 0,

    /// <summary>The top layer's per-step outputs.</summary>
    Steps = 1,

    /// <summary>The top layer's final states (forward ‖ backward).</summary>
    FinalState = 2,

    /// <summary>Every layer's final hidden (and cell) states.</summary>
    LayerStates = 4,

    /// <summary>The input itself: the head is the whole network (1 vs N).</summary>
    Input = 8,
}
