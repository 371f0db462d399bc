using System.Numerics;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The Elman cell of the tutorial and <c>nn.RNN</c>: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>.</summary>
internal static class ElmanCell
{
    public static void Forward(ref CellStep step, RnnNonlinearity nonlinearity)
    {
        int hidden = step.Hidden;
        for (int row = 0; row < step.Batch; row++)
        {
            Span<float> h = step.H.Slice(row * hidden, hidden);
            if (!step.IsActive(row))
            {
                step.HPrev.Slice(row * hidden, hidden).CopyTo(h);
                continue;
            }

            Span<float> preActivation = step.Gates.Slice(row * hidden, hidden);
            for (int j = 0; j < hidden; j += Lanes.Width)
            {
                Vector<float> x = Lanes.Load(preActivation, j);
                Vector<float> activation = nonlinearity == RnnNonlinearity.Relu ? Vector.Max(x, Vector<float>.Zero) : Activations.Tanh(x);
                Lanes.Store(activation, preActivation, j);
                Lanes.Store(activation, h, j);
            }
        }
    }

    public static void Backward(ref CellGradientStep step, RnnNonlinearity nonlinearity)
    {
        int hidden = step.Hidden;
        for (int row = 0; row < step.Batch; row++)
        {
            int offset = row * hidden;
            ReadOnlySpan<float> dh = step.DH.Slice(offset, hidden);
            Span<float> dPre = step.DGates.Slice(offset, hidden);
            Span<float> dhPrevDirect = step.DHPrevDirect.Slice(offset, hidden);
            if (!step.IsActive(row))
            {
                dPre.Clear();
                dh.CopyTo(dhPrevDirect);
                continue;
            }

            dhPrevDirect.Clear();
            ReadOnlySpan<float> h = step.Gates.Slice(offset, hidden);
            if (nonlinearity == RnnNonlinearity.Relu)
                for (int j = 0; j < hidden; j++)
                    dPre[j] = h[j] > 0f ? dh[j] : 0f;
            else
                for (int j = 0; j < hidden; j += Lanes.Width)
                {
                    Vector<float> hj = Lanes.Load(h, j);
                    Lanes.Store(Lanes.Load(dh, j) * (Vector<float>.One - hj * hj), dPre, j);
                }
        }
    }
}
