namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Where a head's backward pass puts d loss / d (what it read of the stack), shaped as in <see cref="StackOutput"/>.
/// The block clears the parts the head reads (<see cref="OutputHead.Reads"/>) before the head's backward pass; the
/// head adds to them or overwrites them.
/// </summary>
internal readonly ref struct StackGradient
{
    /// <summary>d loss / d (top-layer outputs), <c>[steps, batch, directions·hidden]</c>.</summary>
    public Span<float> Steps { get; init; }

    /// <summary>d loss / d (top-layer final states), <c>[batch, directions·hidden]</c>.</summary>
    public Span<float> FinalState { get; init; }

    /// <summary>d loss / d (every layer's final hidden states), <c>[layers·directions, batch, hidden]</c>.</summary>
    public Span<float> LayerFinalHidden { get; init; }

    /// <summary>d loss / d (every layer's final cell states), LSTM only.</summary>
    public Span<float> LayerFinalCell { get; init; }

    /// <summary>d loss / d input, <c>[steps, batch, inputSize]</c>: written by a head that reads the input itself (1 vs N).</summary>
    public Span<float> Input { get; init; }
}
