namespace Microsoft.ML.Rnn;

/// <summary>
/// Regression metrics of a sequence output (an N vs N score, or a multi-step label), per step and over all steps, from
/// <c>mlContext.Regression.EvaluateSequence</c>. The overall metrics pool every counted value of every step (a pooled R²:
/// deviations from the mean of all counted labels), so a step that more rows have weighs more.
/// </summary>
public sealed class SequenceRegressionMetrics
{
    internal SequenceRegressionMetrics(RegressionAccumulator overall, IReadOnlyList<SequenceStepRegressionMetrics> perStep,
        long nanScoreCount, long missingLabelCount)
    {
        Count = overall.Count;
        MeanAbsoluteError = overall.MeanAbsoluteError;
        MeanSquaredError = overall.MeanSquaredError;
        RootMeanSquaredError = Math.Sqrt(MeanSquaredError);
        RSquared = overall.RSquared;
        PerStep = perStep;
        NaNScoreCount = nanScoreCount;
        MissingLabelCount = missingLabelCount;
    }

    /// <summary>The (label, score) values counted, over all steps and rows.</summary>
    public long Count { get; }

    /// <summary>The mean of |score − label| over all counted values; NaN when none was counted.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The mean of (score − label)² over all counted values.</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>1 − Σ(score − label)² / Σ(label − mean label)² over all counted values; NaN when the labels are all equal.</summary>
    public double RSquared { get; }

    /// <summary>The metrics of each step, from step 0 to the longest row's last step.</summary>
    public IReadOnlyList<SequenceStepRegressionMetrics> PerStep { get; }

    /// <summary>Values skipped because the score was NaN (rows the model could not score give NaN scores).</summary>
    public long NaNScoreCount { get; }

    /// <summary>Values skipped because the label was NaN.</summary>
    public long MissingLabelCount { get; }
}
