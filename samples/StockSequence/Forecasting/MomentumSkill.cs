namespace StockSequence.Forecasting;

/// <summary>
/// The skill against persistence of the ideal forecast h days ahead when daily log returns follow an AR(1) with coefficient
/// phi (the generated series' momentum): the part of the h-day move that today's return predicts.
/// </summary>
/// <remarks>The move over days 1..h is S_h = r_{t+1} + … + r_{t+h}, with E[S_h | today] = r_t (phi + phi² + … + phi^h) and,
/// for returns of variance σ², Var(S_h) = σ² (h + 2 Σ_{j=1}^{h−1} (h − j) phi^j). The ideal forecast removes the predictable
/// part, so its skill is Var(E[S_h | today]) / Var(S_h) = (phi + … + phi^h)² / (h + 2 Σ (h − j) phi^j): phi² for the next day,
/// less and less after. In prices rather than log prices, and with the volatility clustering, it holds approximately.</remarks>
public static class MomentumSkill
{
    /// <summary>The ideal skill <paramref name="day"/> days ahead.</summary>
    /// <param name="phi">The AR(1) coefficient of the daily log returns, in (−1, 1).</param>
    /// <param name="day">Days ahead, at least 1.</param>
    public static double Ideal(double phi, int day)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(day, 1);
        if (!(Math.Abs(phi) < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(phi), phi, "An AR(1) coefficient must lie in (-1, 1).");
        }

        double predictable = 0, power = 1, variance = day;
        for (int k = 1; k <= day; k++)
        {
            power *= phi;
            predictable += power;
            if (k < day)
            {
                variance += 2 * (day - k) * power;
            }
        }

        return predictable * predictable / variance;
    }
}
