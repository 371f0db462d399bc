using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The buffers of one time step for a whole batch, as a cell's forward pass sees them. Rows are sequences;
/// a row whose sequence has ended (<c>Time ≥ Lengths[row]</c>) carries its state through unchanged.
/// </summary>
internal ref struct CellStep
{
    public int Batch;
    public int Hidden;
    public int Time;
    public ReadOnlySpan<int> Lengths;

    /// <summary>The Elman cell's activation (the other cells have their own).</summary>
    public RnnNonlinearity Nonlinearity;

    /// <summary>[batch, gates·hidden]. In: the input pre-activations (the input projection, hoisted out of the time
    /// loop, with its biases). Out: the gate activations, kept for the backward pass.</summary>
    public Span<float> Gates;

    /// <summary>[batch, gates·hidden]: the recurrent product <c>W_hh h</c> (GRU: with <c>b_hh</c>, kept for the backward
    /// pass because the new gate scales it by r). Written apart from <see cref="Gates"/>, so the product overwrites a small buffer instead of reading and writing the large one.</summary>
    public ReadOnlySpan<float> HiddenGates;

    public ReadOnlySpan<float> HPrev;
    public Span<float> H;

    /// <summary>LSTM only: the previous cell state, the new one, and tanh of the new one.</summary>
    public ReadOnlySpan<float> CPrev;
    public Span<float> C;
    public Span<float> TanhC;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool IsActive(int row) => Time < Lengths[row];
}
