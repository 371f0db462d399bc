using MathNet.Numerics.Distributions;

namespace StockSequence.Forecasting;

/// <summary>
/// The Diebold–Mariano test of equal forecast accuracy with the small-sample correction of Harvey, Leybourne and Newbold
/// (1997): is the mean of a loss differential (one forecaster's loss minus another's, per forecast) different from zero?
/// </summary>
/// <remarks>
/// <para>For n losses d and forecasts h steps ahead: DM = mean(d) / sqrt(V / n), where V = γ0 + 2 Σ_{k=1}^{h−1} γk and
/// γk = (1/n) Σ_{t>k} (d_t − mean)(d_{t−k} − mean). Forecasts h steps ahead from overlapping windows share h − 1 days of the
/// future, so their losses are correlated up to lag h − 1 and no further. The corrected statistic is
/// DM · sqrt((n + 1 − 2h + h(h − 1)/n) / n), compared with Student's t with n − 1 degrees of freedom. For h = 1 it is
/// exactly the one-sample t statistic of d.</para>
/// </remarks>
/// <param name="Statistic">The corrected statistic; negative when the first forecaster's losses are smaller.</param>
/// <param name="PValue">Its two-sided p-value: how often a difference at least this large arises by chance when the two
/// forecasters are equally accurate.</param>
/// <param name="DegreesOfFreedom">n − 1.</param>
public sealed record DieboldMarianoTest(double Statistic, double PValue, int DegreesOfFreedom)
{
    /// <summary>
    /// The fewest forecasts, per step of the horizon, on which the sample passes a verdict. Overlapping h-step forecasts
    /// carry about n / h independent errors, and below ten of them the test says next to nothing: one or two days carry the
    /// mean, and the t distribution is exact only for normal losses; differences of squared errors are heavy-tailed, so the
    /// p-value leans on the central limit theorem, which needs more than a handful of terms. It also keeps n ≥ 2h, where
    /// the correction factor is defined.
    /// </summary>
    public const int MinimumForecastsPerStep = 10;

    /// <summary>The fewest forecasts on which to pass a verdict at horizon <paramref name="horizon"/>.</summary>
    public static int MinimumForecasts(int horizon) => MinimumForecastsPerStep * Math.Max(1, horizon);

    /// <summary>Tests whether the mean loss differential is zero.</summary>
    /// <param name="lossDifferential">Per forecast, in time order: the first forecaster's loss minus the second's.</param>
    /// <param name="horizon">Steps ahead the forecasts are (1 for one-step forecasts).</param>
    /// <returns>The test, or null when it is undefined: fewer than 2 forecasts, fewer than 2h (the correction is not
    /// positive), or a long-run variance that is not positive (identical losses, or a negative estimate).</returns>
    public static DieboldMarianoTest? Compute(IReadOnlyList<double> lossDifferential, int horizon)
    {
        ArgumentNullException.ThrowIfNull(lossDifferential);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        int n = lossDifferential.Count;
        double correction = (n + 1 - 2.0 * horizon + horizon * (horizon - 1.0) / n) / n;
        if (n < 2 || correction <= 0)
        {
            return null;
        }

        double mean = lossDifferential.Average();
        double variance = Autocovariance(lossDifferential, mean, 0);
        for (int lag = 1; lag < Math.Min(horizon, n); lag++)
        {
            variance += 2 * Autocovariance(lossDifferential, mean, lag);
        }

        if (!(variance > 0))
        {
            return null;
        }

        double statistic = mean / Math.Sqrt(variance / n) * Math.Sqrt(correction);
        int degrees = n - 1;
        double pValue = 2 * StudentT.CDF(0, 1, degrees, -Math.Abs(statistic));
        return new DieboldMarianoTest(statistic, pValue, degrees);
    }

    private static double Autocovariance(IReadOnlyList<double> d, double mean, int lag)
    {
        double sum = 0;
        for (int t = lag; t < d.Count; t++)
        {
            sum += (d[t] - mean) * (d[t - lag] - mean);
        }

        return sum / d.Count;
    }
}
