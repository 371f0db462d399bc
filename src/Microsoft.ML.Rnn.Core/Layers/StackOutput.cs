namespace Microsoft.ML.Rnn.Core;

/// <summary>What the recurrent stack hands to a head: the top layer's per-step outputs and its final states.</summary>
internal readonly ref struct StackOutput
{
    public StackOutput(ReadOnlySpan<float> steps, ReadOnlySpan<float> finalState, ReadOnlySpan<int> lengths, int stepCount)
    {
        Steps = steps;
        FinalState = finalState;
        Lengths = lengths;
        StepCount = stepCount;
    }

    /// <summary>Top-layer outputs, time-major <c>[steps, batch, directions·hidden]</c>, zero past each sequence's end.</summary>
    public ReadOnlySpan<float> Steps { get; }

    /// <summary>Top-layer final states, <c>[batch, directions·hidden]</c>: forward after the last real step ‖ backward after step 0.</summary>
    public ReadOnlySpan<float> FinalState { get; }

    public ReadOnlySpan<int> Lengths { get; }

    public int StepCount { get; }

    public int Batch => Lengths.Length;
}
