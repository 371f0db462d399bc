using MathNet.Numerics.Distributions;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>One forecast's interval in prices.</summary>
/// <param name="Lower">The lower end (NaN when the model could not give one).</param>
/// <param name="Upper">The upper end (NaN when the model could not give one).</param>
public readonly record struct PriceInterval(double Lower, double Upper)
{
    /// <summary>Upper − lower, in prices.</summary>
    public double Width => Upper - Lower;

    /// <summary>True when both ends are numbers.</summary>
    public bool IsKnown => double.IsFinite(Lower) && double.IsFinite(Upper);

    /// <summary>True when <paramref name="price"/> lies inside, ends included.</summary>
    public bool Contains(double price) => Lower <= price && price <= Upper;
}

/// <summary>How a set of intervals did against what happened: the share of actual prices inside and the mean width.</summary>
/// <param name="Count">Forecasts scored (those with a known interval and a known actual price).</param>
/// <param name="Coverage">The share of them whose actual price lies inside the interval; NaN when none were scored.</param>
/// <param name="MeanWidth">Their mean width, in prices; NaN when none were scored.</param>
/// <param name="Unknown">Forecasts left out because the model gave NaN bounds (a scale it could not use).</param>
public sealed record IntervalScore(int Count, double Coverage, double MeanWidth, int Unknown)
{
    /// <summary>
    /// The two-sided p-value of the coverage against <paramref name="level"/>: were each actual price inside its interval with
    /// probability <paramref name="level"/>, independently, the count inside would be Binomial(<see cref="Count"/>, level);
    /// p = 2·min(P(X ≤ k), P(X ≥ k)), at most 1 (MathNet's binomial CDF). Days are not quite independent (volatility clusters),
    /// so read it as a guide. NaN when nothing was scored.
    /// </summary>
    /// <param name="level">The nominal coverage, in (0, 1).</param>
    /// <returns>The p-value.</returns>
    public double CoveragePValue(double level)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        int inside = (int)Math.Round(Coverage * Count);
        var binomial = new Binomial(level, Count);
        double below = binomial.CumulativeDistribution(inside);
        double above = inside == 0 ? 1 : 1 - binomial.CumulativeDistribution(inside - 1);
        return Math.Min(1, 2 * Math.Min(below, above));
    }

    /// <summary>Scores intervals against the actual prices, one each.</summary>
    /// <param name="actual">What happened.</param>
    /// <param name="intervals">The intervals, in the same order.</param>
    /// <returns>The score.</returns>
    public static IntervalScore Compute(IReadOnlyList<double> actual, IReadOnlyList<PriceInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(intervals);
        if (actual.Count != intervals.Count)
        {
            throw new ArgumentException($"Need one interval per actual price: {actual.Count} prices, {intervals.Count} intervals.");
        }

        int count = 0, inside = 0, unknown = 0;
        double width = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            if (!double.IsFinite(actual[i]))
            {
                continue;
            }

            if (!intervals[i].IsKnown)
            {
                unknown++;
                continue;
            }

            count++;
            inside += intervals[i].Contains(actual[i]) ? 1 : 0;
            width += intervals[i].Width;
        }

        return new IntervalScore(count, count == 0 ? double.NaN : (double)inside / count, count == 0 ? double.NaN : width / count, unknown);
    }
}

/// <summary>The network's interval for one window, in the windows' normalised scale (the columns LowerBound and UpperBound).</summary>
/// <param name="Lower">The lower end.</param>
/// <param name="Upper">The upper end.</param>
public readonly record struct NormalizedInterval(float Lower, float Upper)
{
    /// <summary>
    /// Maps the interval back to prices exactly as the sample maps its point forecasts: each end through
    /// <see cref="SequenceWindowNormalizer.Denormalize(float, float, SequenceWindowNormalization)"/> with the window's reference,
    /// p = reference × (1 + y) for <c>last</c> and <c>first</c>, y itself for <c>none</c>. That map is monotone increasing
    /// (the reference is a price, positive: windows touching a zero or missing price are skipped), so the ends stay ordered
    /// and a price lies inside the mapped interval exactly when its normalised value lies inside the network's one: the
    /// coverage is the network's, and the width scales with the reference.
    /// </summary>
    /// <param name="reference">The window's reference price (ignored for <see cref="SequenceWindowNormalization.None"/>).</param>
    /// <param name="normalization">The windows' normalisation.</param>
    /// <returns>The interval in prices.</returns>
    public PriceInterval ToPrices(float reference, SequenceWindowNormalization normalization) => new(
        SequenceWindowNormalizer.Denormalize(Lower, reference, normalization),
        SequenceWindowNormalizer.Denormalize(Upper, reference, normalization));
}
