namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// log Γ and ψ (digamma) for x &gt; 0, in double precision, for the Student-t likelihood (the core has no dependencies
/// beyond the runtime; the tests check both against MathNet.Numerics).
/// </summary>
internal static class SpecialFunctions
{
    // Lanczos approximation, g = 7, n = 9 (relative error below 1e-15 for x > 0).
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>log Γ(<paramref name="x"/>) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x); // reflection
        x -= 1;
        double sum = Lanczos[0];
        double t = x + 7.5;
        for (int i = 1; i < Lanczos.Length; i++)
            sum += Lanczos[i] / (x + i);
        return HalfLogTwoPi + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>ψ(<paramref name="x"/>) = d log Γ / dx for x &gt; 0: the recurrence up to x ≥ 10, then the asymptotic series.</summary>
    public static double Digamma(double x)
    {
        double result = 0;
        while (x < 10)
        {
            result -= 1 / x;
            x += 1;
        }

        double f = 1 / (x * x);
        // ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ)
        result += Math.Log(x) - 0.5 / x
            - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
        return result;
    }
}
