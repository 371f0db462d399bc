using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The gate activations on vector lanes, so a cell computes all its gates and its state update in one pass.</summary>
internal static class Activations
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float ExpInputMax = 88.3762626647949f;
    private const float ExpInputMin = -87.3365447504f;

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Exp(-x));

    /// <summary>tanh(x) = sign(x)·(1 − 2 / (e^{2|x|} + 1)); the odd form keeps e^{2|x|} from underflowing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> magnitude = Vector<float>.One - new Vector<float>(2f) / (Exp(Vector.Abs(x) * 2f) + Vector<float>.One);
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -magnitude, magnitude);
    }

    /// <summary>
    /// e^x in single precision (Cephes' expf: x = n·ln 2 + r, a degree-6 polynomial for e^r, 2^n from the exponent
    /// bits), within 2 ulp. <see cref="Vector.Exp(Vector{float})"/> works in double precision and costs about twice
    /// as much, which matters for five activations per LSTM element per step. Arguments are clamped to the finite
    /// range; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        Vector<float> clamped = Vector.Min(Vector.Max(x, new Vector<float>(ExpInputMin)), new Vector<float>(ExpInputMax));
        Vector<float> n = Vector.Floor(Vector.FusedMultiplyAdd(clamped, new Vector<float>(Log2E), new Vector<float>(0.5f)));
        Vector<float> r = Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2Low), Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2High), clamped));
        Vector<float> polynomial = new Vector<float>(1.9875691500e-4f);
        polynomial = Vector.FusedMultiplyAdd(polynomial, r, new Vector<float>(1.3981999507e-3f));
        polynomial = Vector.FusedMultiplyAdd(polynomial, r, new Vector<float>(8.3334519073e-3f));
        polynomial = Vector.FusedMultiplyAdd(polynomial, r, new Vector<float>(4.1665795894e-2f));
        polynomial = Vector.FusedMultiplyAdd(polynomial, r, new Vector<float>(1.6666665459e-1f));
        polynomial = Vector.FusedMultiplyAdd(polynomial, r, new Vector<float>(5.0000001201e-1f));
        Vector<float> expR = Vector.FusedMultiplyAdd(polynomial, r * r, r) + Vector<float>.One;
        Vector<int> exponent = (Vector.ConvertToInt32(n) + new Vector<int>(127)) << 23;
        Vector<float> result = expR * Vector.AsVectorSingle(exponent);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }
}
