using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The GRU cell of <c>nn.GRU</c>, gates in PyTorch's order r, z, n:
/// <c>r = σ(x_r + h_r)</c>, <c>z = σ(x_z + h_z)</c>, <c>n = tanh(x_n + r·h_n)</c>, <c>h' = (1 − z)·n + z·h</c>,
/// where <c>x_*</c> are the input pre-activations (with <c>b_ih</c>) and <c>h_*</c> the recurrent ones (with <c>b_hh</c>).
/// </summary>
internal readonly struct GruCell : IRecurrentCell
{
    public static int GateCount => 3;

    public static bool HasCellState => false;

    public static bool KeepsRecurrentProduct => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ref CellStep step)
    {
        int hidden = step.Hidden;
        for (int row = 0; row < step.Batch; row++)
        {
            int offset = row * hidden;
            Span<float> h = step.H.Slice(offset, hidden);
            ReadOnlySpan<float> hPrev = step.HPrev.Slice(offset, hidden);
            if (!step.IsActive(row))
            {
                hPrev.CopyTo(h);
                continue;
            }

            Span<float> gates = step.Gates.Slice(3 * offset, 3 * hidden);
            ReadOnlySpan<float> hiddenGates = step.HiddenGates.Slice(3 * offset, 3 * hidden);
            Span<float> resetGates = gates[..hidden], updateGates = gates.Slice(hidden, hidden), newGates = gates.Slice(2 * hidden, hidden);
            ReadOnlySpan<float> hiddenReset = hiddenGates[..hidden], hiddenUpdate = hiddenGates.Slice(hidden, hidden), hiddenNew = hiddenGates.Slice(2 * hidden, hidden);
            for (int j = 0; j < hidden; j += Lanes.Width)
            {
                Vector<float> resetGate = Activations.Sigmoid(Lanes.Load(resetGates, j) + Lanes.Load(hiddenReset, j));
                Vector<float> updateGate = Activations.Sigmoid(Lanes.Load(updateGates, j) + Lanes.Load(hiddenUpdate, j));
                Vector<float> newGate = Activations.Tanh(Lanes.Load(newGates, j) + resetGate * Lanes.Load(hiddenNew, j));
                Lanes.Store(resetGate, resetGates, j);
                Lanes.Store(updateGate, updateGates, j);
                Lanes.Store(newGate, newGates, j);
                Lanes.Store(newGate + updateGate * (Lanes.Load(hPrev, j) - newGate), h, j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ref CellGradientStep step)
    {
        int hidden = step.Hidden;
        for (int row = 0; row < step.Batch; row++)
        {
            int offset = row * hidden;
            ReadOnlySpan<float> dh = step.DH.Slice(offset, hidden);
            Span<float> dGates = step.DGates.Slice(3 * offset, 3 * hidden);
            Span<float> dHiddenGates = step.DHiddenGates.Slice(3 * offset, 3 * hidden);
            Span<float> dhPrevDirect = step.DHPrevDirect.Slice(offset, hidden);
            if (!step.IsActive(row))
            {
                dGates.Clear();
                dHiddenGates.Clear();
                dh.CopyTo(dhPrevDirect);
                continue;
            }

            ReadOnlySpan<float> gates = step.Gates.Slice(3 * offset, 3 * hidden);
            ReadOnlySpan<float> resetGates = gates[..hidden], updateGates = gates.Slice(hidden, hidden), newGates = gates.Slice(2 * hidden, hidden);
            ReadOnlySpan<float> hiddenNew = step.HiddenGates.Slice(3 * offset + 2 * hidden, hidden);
            ReadOnlySpan<float> hPrev = step.HPrev.Slice(offset, hidden);
            Span<float> dReset = dGates[..hidden], dUpdate = dGates.Slice(hidden, hidden), dNew = dGates.Slice(2 * hidden, hidden);
            Span<float> dHiddenReset = dHiddenGates[..hidden], dHiddenUpdate = dHiddenGates.Slice(hidden, hidden), dHiddenNew = dHiddenGates.Slice(2 * hidden, hidden);
            for (int j = 0; j < hidden; j += Lanes.Width)
            {
                Vector<float> resetGate = Lanes.Load(resetGates, j), updateGate = Lanes.Load(updateGates, j), newGate = Lanes.Load(newGates, j);
                Vector<float> dhj = Lanes.Load(dh, j);
                Vector<float> dNewPre = dhj * (Vector<float>.One - updateGate) * (Vector<float>.One - newGate * newGate);
                Vector<float> dResetPre = dNewPre * Lanes.Load(hiddenNew, j) * resetGate * (Vector<float>.One - resetGate);
                Vector<float> dUpdatePre = dhj * (Lanes.Load(hPrev, j) - newGate) * updateGate * (Vector<float>.One - updateGate);
                Lanes.Store(dResetPre, dReset, j);
                Lanes.Store(dResetPre, dHiddenReset, j);
                Lanes.Store(dUpdatePre, dUpdate, j);
                Lanes.Store(dUpdatePre, dHiddenUpdate, j);
                Lanes.Store(dNewPre, dNew, j);
                Lanes.Store(dNewPre * resetGate, dHiddenNew, j);
                Lanes.Store(dhj * updateGate, dhPrevDirect, j);
            }
        }
    }
}
