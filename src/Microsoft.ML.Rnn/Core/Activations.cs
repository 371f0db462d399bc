using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The gate activations on vector lanes, so a cell computes all its gates and its state update in one pass.</summary>
internal static class Activations
{
    /// <summary>σ(x) = 1 / (1 + e^−x); saturates to exactly 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Vector.Exp(-x));

    /// <summary>tanh(x) = sign(x)·(1 − 2 / (e^{2|x|} + 1)); the odd form keeps e^{2|x|} from underflowing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> magnitude = Vector<float>.One - new Vector<float>(2f) / (Vector.Exp(Vector.Abs(x) * 2f) + Vector<float>.One);
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -magnitude, magnitude);
    }
}
