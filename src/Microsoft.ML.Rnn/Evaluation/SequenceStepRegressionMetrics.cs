namespace Microsoft.ML.Rnn;

/// <summary>
/// Regression metrics of one output step (one horizon) of a sequence output: over every row that has the step, and over all
/// outputs of the step when there are several per step. NaN when no value was counted.
/// </summary>
public sealed class SequenceStepRegressionMetrics
{
    internal SequenceStepRegressionMetrics(int step, long count, double meanAbsoluteError, double meanSquaredError, double rSquared)
    {
        Step = step;
        Count = count;
        MeanAbsoluteError = meanAbsoluteError;
        MeanSquaredError = meanSquaredError;
        RootMeanSquaredError = Math.Sqrt(meanSquaredError);
        RSquared = rSquared;
    }

    /// <summary>The step, from 0 (the first output step: for multi-step labels, the nearest horizon).</summary>
    public int Step { get; }

    /// <summary>The (label, score) values counted at this step.</summary>
    public long Count { get; }

    /// <summary>The mean of |score − label|.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The mean of (score − label)².</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>1 − Σ(score − label)² / Σ(label − mean label)², over the values of this step; NaN when the labels are all equal.</summary>
    public double RSquared { get; }
}
