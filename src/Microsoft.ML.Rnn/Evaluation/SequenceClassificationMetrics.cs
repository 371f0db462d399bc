namespace Microsoft.ML.Rnn;

/// <summary>
/// Classification metrics of a sequence output (one prediction per step), per step and over all steps, from
/// <c>mlContext.BinaryClassification.EvaluateSequence</c> or <c>mlContext.MulticlassClassification.EvaluateSequence</c>.
/// The overall metrics count every counted step of every row alike.
/// </summary>
public sealed class SequenceClassificationMetrics
{
    internal SequenceClassificationMetrics(ClassificationAccumulator overall, IReadOnlyList<SequenceStepClassificationMetrics> perStep,
        long nanScoreCount, long missingLabelCount)
    {
        Count = overall.Count;
        Accuracy = overall.Accuracy;
        LogLoss = overall.LogLoss;
        PerStep = perStep;
        NaNScoreCount = nanScoreCount;
        MissingLabelCount = missingLabelCount;
    }

    /// <summary>The predictions (steps) counted, over all rows.</summary>
    public long Count { get; }

    /// <summary>The share of counted predictions equal to the label (micro-accuracy); NaN when none was counted.</summary>
    public double Accuracy { get; }

    /// <summary>
    /// The mean log-loss, as ML.NET's evaluator for the task computes it, so that one step gives what <c>Evaluate</c> gives:
    /// binary, in bits, −log₂ p for a true label and −log₂ (1 − p) for a false one (infinite for a certain wrong answer);
    /// multiclass, in nats, −ln p of the true class, p clamped to at least 1e−15.
    /// </summary>
    public double LogLoss { get; }

    /// <summary>The metrics of each step, from step 0 to the longest row's last step.</summary>
    public IReadOnlyList<SequenceStepClassificationMetrics> PerStep { get; }

    /// <summary>Steps skipped because a score or probability was NaN (rows the model could not score give NaN scores).</summary>
    public long NaNScoreCount { get; }

    /// <summary>Steps skipped because the label was missing (multiclass: key 0).</summary>
    public long MissingLabelCount { get; }
}
