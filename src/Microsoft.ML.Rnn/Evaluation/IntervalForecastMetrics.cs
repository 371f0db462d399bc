namespace Microsoft.ML.Rnn;

/// <summary>
/// How good a probabilistic forecast's intervals and distributions are, from
/// <c>mlContext.Regression.EvaluateIntervals</c>, in the style of ML.NET's <c>RegressionMetrics</c>: every metric is a
/// mean over the counted (label, prediction) values, scalar scores and every value of vector scores alike.
/// </summary>
/// <remarks>
/// The likelihood and CRPS are those of the Normal distribution with the predicted mean (<c>Score</c>) and standard
/// deviation (<c>StandardDeviation</c>): exact for a <see cref="RnnDistribution.Normal"/> model, the Normal with the same
/// two moments for a <see cref="RnnDistribution.StudentT"/> one. Coverage, width and the pinball losses read only the
/// interval and hold for any distribution.
/// </remarks>
public sealed class IntervalForecastMetrics
{
    internal IntervalForecastMetrics(double confidenceLevel, long count, double coverage, double meanIntervalWidth, double meanNegativeLogLikelihood,
        double continuousRankedProbabilityScore, double lowerQuantileLoss, double upperQuantileLoss, long nanPredictionCount, long missingLabelCount)
    {
        ConfidenceLevel = confidenceLevel;
        Count = count;
        Coverage = coverage;
        MeanIntervalWidth = meanIntervalWidth;
        MeanNegativeLogLikelihood = meanNegativeLogLikelihood;
        ContinuousRankedProbabilityScore = continuousRankedProbabilityScore;
        LowerQuantileLoss = lowerQuantileLoss;
        UpperQuantileLoss = upperQuantileLoss;
        NaNPredictionCount = nanPredictionCount;
        MissingLabelCount = missingLabelCount;
    }

    /// <summary>The nominal probability of the intervals evaluated: the share of labels they should cover.</summary>
    public double ConfidenceLevel { get; }

    /// <summary>The (label, prediction) values counted.</summary>
    public long Count { get; }

    /// <summary>The share of counted labels with <c>LowerBound ≤ label ≤ UpperBound</c>; well calibrated intervals give about
    /// <see cref="ConfidenceLevel"/>. NaN when nothing was counted.</summary>
    public double Coverage { get; }

    /// <summary>The mean of <c>UpperBound − LowerBound</c>: between two forecasts that cover as often, the narrower is sharper.</summary>
    public double MeanIntervalWidth { get; }

    /// <summary>The mean of −log N(label; Score, StandardDeviation²), in nats; lower is better.</summary>
    public double MeanNegativeLogLikelihood { get; }

    /// <summary>The mean continuous ranked probability score of N(Score, StandardDeviation²) (closed form, Gneiting and Raftery 2007),
    /// in the label's units; lower is better, and with a zero standard deviation it is the absolute error.</summary>
    public double ContinuousRankedProbabilityScore { get; }

    /// <summary>The mean pinball loss of <c>LowerBound</c> as the (1 − <see cref="ConfidenceLevel"/>) / 2 quantile:
    /// <c>max(τ(y − q), (τ − 1)(y − q))</c>.</summary>
    public double LowerQuantileLoss { get; }

    /// <summary>The mean pinball loss of <c>UpperBound</c> as the (1 + <see cref="ConfidenceLevel"/>) / 2 quantile.</summary>
    public double UpperQuantileLoss { get; }

    /// <summary>Values skipped because the score, standard deviation or a bound was NaN (a row the model could not score, or
    /// whose predicted scale was unusable).</summary>
    public long NaNPredictionCount { get; }

    /// <summary>Values skipped because the label was NaN.</summary>
    public long MissingLabelCount { get; }
}
