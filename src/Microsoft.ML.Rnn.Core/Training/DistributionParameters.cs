using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// How a distribution head's raw outputs become the distribution's parameters, and the negative log-likelihood of a
/// target with its derivatives with respect to the raw outputs. Everything in double precision; the network's outputs
/// per output step are <c>[μ × outputs, raw scale × outputs, (raw ν × outputs)]</c>.
/// </summary>
internal static class DistributionParameters
{
    /// <summary>The smallest scale: σ = softplus(raw) + this, so σ is never 0.</summary>
    public const double MinimumScale = 1e-6;

    /// <summary>The smallest degrees of freedom of the Student-t: ν = this + softplus(raw), so its variance exists.</summary>
    public const double MinimumDegreesOfFreedom = 2;

    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);
    private static readonly double HalfLogPi = 0.5 * Math.Log(Math.PI);

    /// <summary>Values the head emits per output: 1 (a point), 2 (μ, σ) or 3 (μ, s, ν).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValuesPerOutput(RnnDistribution distribution) => distribution switch
    {
        RnnDistribution.Normal => 2,
        RnnDistribution.StudentT => 3,
        _ => 1,
    };

    /// <summary>The distribution a loss is the negative log-likelihood of; <see cref="RnnDistribution.None"/> for the other losses.</summary>
    public static RnnDistribution Of(RnnLoss loss) => loss switch
    {
        RnnLoss.NormalNegativeLogLikelihood => RnnDistribution.Normal,
        RnnLoss.StudentTNegativeLogLikelihood => RnnDistribution.StudentT,
        _ => RnnDistribution.None,
    };

    /// <summary>PyTorch's <c>F.softplus</c> (beta 1, threshold 20: the input itself above 20).</summary>
    public static double Softplus(double x) => x > 20 ? x : x < -30 ? Math.Exp(x) : Math.Log(1 + Math.Exp(x));

    /// <summary>d softplus / dx: the logistic sigmoid (1 above the threshold, as PyTorch's backward).</summary>
    public static double SoftplusDerivative(double x) => x > 20 ? 1 : 1 / (1 + Math.Exp(-x));

    /// <summary>σ (or the Student-t's scale) from its raw output.</summary>
    public static double Scale(double raw) => Softplus(raw) + MinimumScale;

    /// <summary>ν from its raw output.</summary>
    public static double DegreesOfFreedom(double raw) => MinimumDegreesOfFreedom + Softplus(raw);

    /// <summary>
    /// −log N(y; μ, σ) with σ from <paramref name="rawScale"/>, and its derivatives with respect to μ and the raw scale.
    /// </summary>
    public static double NormalNegativeLogLikelihood(double y, double mu, double rawScale, out double dMu, out double dRawScale)
    {
        double sigma = Scale(rawScale);
        double z = (y - mu) / sigma;
        dMu = -z / sigma;
        dRawScale = (1 / sigma - z * z / sigma) * SoftplusDerivative(rawScale);
        return Math.Log(sigma) + HalfLogTwoPi + 0.5 * z * z;
    }

    /// <summary>
    /// −log t_ν(y; μ, s) as <c>torch.distributions.StudentT.log_prob</c>, and its derivatives with respect to μ, the raw
    /// scale and the raw degrees of freedom.
    /// </summary>
    public static double StudentTNegativeLogLikelihood(double y, double mu, double rawScale, double rawDegrees,
        out double dMu, out double dRawScale, out double dRawDegrees)
    {
        double s = Scale(rawScale), nu = DegreesOfFreedom(rawDegrees);
        double z = (y - mu) / s, z2 = z * z;
        double q = z2 / nu;
        double log1pQ = Math.Log(1 + q);
        double nll = 0.5 * (nu + 1) * log1pQ + Math.Log(s) + 0.5 * Math.Log(nu) + HalfLogPi
            + SpecialFunctions.LogGamma(0.5 * nu) - SpecialFunctions.LogGamma(0.5 * (nu + 1));
        dMu = -(nu + 1) * z / (s * (nu + z2));
        dRawScale = (1 / s - (nu + 1) * z2 / (s * (nu + z2))) * SoftplusDerivative(rawScale);
        double dNu = 0.5 * log1pQ - 0.5 * (nu + 1) * z2 / (nu * (nu + z2)) + 0.5 / nu
            + 0.5 * SpecialFunctions.Digamma(0.5 * nu) - 0.5 * SpecialFunctions.Digamma(0.5 * (nu + 1));
        dRawDegrees = dNu * SoftplusDerivative(rawDegrees);
        return nll;
    }
}
