using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The buffers of one time step for a cell's backward pass: what the forward pass kept, the gradient arriving
/// at this step's state, and where the gradients of the pre-activations and of the previous state go.
/// </summary>
internal ref struct CellGradientStep
{
    public int Batch;
    public int Hidden;
    public int Time;
    public ReadOnlySpan<int> Lengths;

    /// <summary>The Elman cell's activation (the other cells have their own).</summary>
    public RnnNonlinearity Nonlinearity;

    /// <summary>Gate activations kept by the forward pass, [batch, gates·hidden].</summary>
    public ReadOnlySpan<float> Gates;

    /// <summary>GRU only: <c>W_hh h + b_hh</c> kept by the forward pass.</summary>
    public ReadOnlySpan<float> HiddenGates;

    public ReadOnlySpan<float> HPrev;
    public ReadOnlySpan<float> CPrev;
    public ReadOnlySpan<float> TanhC;

    /// <summary>d loss / d h at this step: from the layer output and from the next step.</summary>
    public ReadOnlySpan<float> DH;

    /// <summary>LSTM only. In: d loss / d c from the next step. Out: d loss / d c_prev.</summary>
    public Span<float> DC;

    /// <summary>Out: d loss / d (input pre-activations), [batch, gates·hidden]; zero on ended rows.</summary>
    public Span<float> DGates;

    /// <summary>Out: d loss / d (recurrent pre-activations). The same buffer as <see cref="DGates"/> except for GRU.</summary>
    public Span<float> DHiddenGates;

    /// <summary>Out: the part of d loss / d h_prev that does not go through <c>W_hh</c>
    /// (GRU's <c>z·dh</c>; on ended rows the whole <c>dh</c>, passed through).</summary>
    public Span<float> DHPrevDirect;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool IsActive(int row) => Time < Lengths[row];
}
