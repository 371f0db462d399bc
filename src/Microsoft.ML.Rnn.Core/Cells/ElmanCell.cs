using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The Elman cell of the tutorial and <c>nn.RNN</c>: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>.</summary>
/// <remarks>
/// Its gates and states share one layout, [batch, hidden], so each pass runs over the whole step as one block and
/// then restores the rows whose sequence has ended.
/// </remarks>
internal readonly struct ElmanCell : IRecurrentCell
{
    public static int GateCount => 1;

    public static bool HasCellState => false;

    public static bool KeepsRecurrentProduct => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ref CellStep step)
    {
        int hidden = step.Hidden, length = step.Batch * hidden;
        bool relu = step.Nonlinearity == RnnNonlinearity.Relu;
        Span<float> preActivation = step.Gates[..length];
        for (int j = 0; j < length; j += Lanes.Width)
        {
            Vector<float> x = Lanes.Load(preActivation, j) + Lanes.Load(step.HiddenGates, j);
            Vector<float> activation = relu ? Vector.Max(x, Vector<float>.Zero) : Activations.Tanh(x);
            Lanes.Store(activation, preActivation, j);
            Lanes.Store(activation, step.H, j);
        }

        for (int row = 0; row < step.Batch; row++)
            if (!step.IsActive(row))
                step.HPrev.Slice(row * hidden, hidden).CopyTo(step.H.Slice(row * hidden, hidden));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ref CellGradientStep step)
    {
        int hidden = step.Hidden, length = step.Batch * hidden;
        bool relu = step.Nonlinearity == RnnNonlinearity.Relu;
        ReadOnlySpan<float> h = step.Gates[..length];
        for (int j = 0; j < length; j += Lanes.Width)
        {
            Vector<float> hj = Lanes.Load(h, j), dhj = Lanes.Load(step.DH, j);
            Vector<float> dPre = relu
                ? Vector.ConditionalSelect(Vector.GreaterThan(hj, Vector<float>.Zero), dhj, Vector<float>.Zero)
                : dhj * (Vector<float>.One - hj * hj);
            Lanes.Store(dPre, step.DGates, j);
        }

        step.DHPrevDirect[..length].Clear();
        for (int row = 0; row < step.Batch; row++)
            if (!step.IsActive(row))
            {
                step.DGates.Slice(row * hidden, hidden).Clear();
                step.DH.Slice(row * hidden, hidden).CopyTo(step.DHPrevDirect.Slice(row * hidden, hidden));
            }
    }
}
