namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// What the recurrent stack hands to a head: the top layer's per-step outputs and final states, every layer's final
/// states, and the input the stack ran over.
/// </summary>
internal readonly ref struct StackOutput
{
    /// <summary>Top-layer outputs, time-major <c>[steps, batch, directions·hidden]</c>, zero past each sequence's end.</summary>
    public ReadOnlySpan<float> Steps { get; init; }

    /// <summary>Top-layer final states, <c>[batch, directions·hidden]</c>: forward after the last real step ‖ backward after step 0.</summary>
    public ReadOnlySpan<float> FinalState { get; init; }

    /// <summary>Every layer's final hidden states, <c>[layers·directions, batch, hidden]</c>.</summary>
    public ReadOnlySpan<float> LayerFinalHidden { get; init; }

    /// <summary>Every layer's final cell states (LSTM), <c>[layers·directions, batch, hidden]</c>; empty for other cells.</summary>
    public ReadOnlySpan<float> LayerFinalCell { get; init; }

    /// <summary>The stack's input, time-major <c>[steps, batch, inputSize]</c>.</summary>
    public ReadOnlySpan<float> Input { get; init; }

    public ReadOnlySpan<int> Lengths { get; init; }

    public int StepCount { get; init; }

    public int Batch => Lengths.Length;
}
