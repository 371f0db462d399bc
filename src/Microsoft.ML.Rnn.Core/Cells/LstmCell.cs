using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The LSTM cell of <c>nn.LSTM</c>, gates in PyTorch's order i, f, g, o:
/// <c>c' = f·c + i·g</c>, <c>h' = o·tanh(c')</c>.
/// </summary>
internal readonly struct LstmCell : IRecurrentCell
{
    public static int GateCount => 4;

    public static bool HasCellState => true;

    public static bool KeepsRecurrentProduct => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ref CellStep step)
    {
        int hidden = step.Hidden;
        for (int row = 0; row < step.Batch; row++)
        {
            int offset = row * hidden;
            Span<float> h = step.H.Slice(offset, hidden);
            Span<float> c = step.C.Slice(offset, hidden);
            ReadOnlySpan<float> cPrev = step.CPrev.Slice(offset, hidden);
            if (!step.IsActive(row))
            {
                step.HPrev.Slice(offset, hidden).CopyTo(h);
                cPrev.CopyTo(c);
                continue;
            }

            Span<float> gates = step.Gates.Slice(4 * offset, 4 * hidden);
            Span<float> inGates = gates[..hidden], forgetGates = gates.Slice(hidden, hidden);
            Span<float> cellGates = gates.Slice(2 * hidden, hidden), outGates = gates.Slice(3 * hidden, hidden);
            ReadOnlySpan<float> recurrent = step.HiddenGates.Slice(4 * offset, 4 * hidden);
            ReadOnlySpan<float> hiddenIn = recurrent[..hidden], hiddenForget = recurrent.Slice(hidden, hidden);
            ReadOnlySpan<float> hiddenCell = recurrent.Slice(2 * hidden, hidden), hiddenOut = recurrent.Slice(3 * hidden, hidden);
            Span<float> tanhC = step.TanhC.Slice(offset, hidden);
            for (int j = 0; j < hidden; j += Lanes.Width)
            {
                Vector<float> inGate = Activations.Sigmoid(Lanes.Load(inGates, j) + Lanes.Load(hiddenIn, j));
                Vector<float> forgetGate = Activations.Sigmoid(Lanes.Load(forgetGates, j) + Lanes.Load(hiddenForget, j));
                Vector<float> cellGate = Activations.Tanh(Lanes.Load(cellGates, j) + Lanes.Load(hiddenCell, j));
                Vector<float> outGate = Activations.Sigmoid(Lanes.Load(outGates, j) + Lanes.Load(hiddenOut, j));
                Vector<float> cNew = forgetGate * Lanes.Load(cPrev, j) + inGate * cellGate;
                Vector<float> tanhCNew = Activations.Tanh(cNew);
                Lanes.Store(inGate, inGates, j);
                Lanes.Store(forgetGate, forgetGates, j);
                Lanes.Store(cellGate, cellGates, j);
                Lanes.Store(outGate, outGates, j);
                Lanes.Store(cNew, c, j);
                Lanes.Store(tanhCNew, tanhC, j);
                Lanes.Store(outGate * tanhCNew, h, j);
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
            Span<float> dc = step.DC.Slice(offset, hidden);
            Span<float> dGates = step.DGates.Slice(4 * offset, 4 * hidden);
            Span<float> dhPrevDirect = step.DHPrevDirect.Slice(offset, hidden);
            if (!step.IsActive(row))
            {
                dGates.Clear();
                dh.CopyTo(dhPrevDirect);
                continue;
            }

            dhPrevDirect.Clear();
            ReadOnlySpan<float> gates = step.Gates.Slice(4 * offset, 4 * hidden);
            ReadOnlySpan<float> inGates = gates[..hidden], forgetGates = gates.Slice(hidden, hidden);
            ReadOnlySpan<float> cellGates = gates.Slice(2 * hidden, hidden), outGates = gates.Slice(3 * hidden, hidden);
            ReadOnlySpan<float> cPrev = step.CPrev.Slice(offset, hidden);
            ReadOnlySpan<float> tanhC = step.TanhC.Slice(offset, hidden);
            Span<float> dIn = dGates[..hidden], dForget = dGates.Slice(hidden, hidden);
            Span<float> dCell = dGates.Slice(2 * hidden, hidden), dOut = dGates.Slice(3 * hidden, hidden);
            for (int j = 0; j < hidden; j += Lanes.Width)
            {
                Vector<float> inGate = Lanes.Load(inGates, j), forgetGate = Lanes.Load(forgetGates, j);
                Vector<float> cellGate = Lanes.Load(cellGates, j), outGate = Lanes.Load(outGates, j);
                Vector<float> tc = Lanes.Load(tanhC, j), dhj = Lanes.Load(dh, j);
                Vector<float> dcTotal = Lanes.Load(dc, j) + dhj * outGate * (Vector<float>.One - tc * tc);
                Lanes.Store(dcTotal * cellGate * inGate * (Vector<float>.One - inGate), dIn, j);
                Lanes.Store(dcTotal * Lanes.Load(cPrev, j) * forgetGate * (Vector<float>.One - forgetGate), dForget, j);
                Lanes.Store(dcTotal * inGate * (Vector<float>.One - cellGate * cellGate), dCell, j);
                Lanes.Store(dhj * tc * outGate * (Vector<float>.One - outGate), dOut, j);
                Lanes.Store(dcTotal * forgetGate, dc, j);
            }
        }
    }
}
