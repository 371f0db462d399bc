namespace Microsoft.ML.Rnn;

/// <summary>
/// Classification metrics of one output step of a sequence output, over every row that has the step. NaN when no step was
/// counted.
/// </summary>
public sealed class SequenceStepClassificationMetrics
{
    internal SequenceStepClassificationMetrics(int step, long count, double accuracy, double logLoss)
    {
        Step = step;
        Count = count;
        Accuracy = accuracy;
        LogLoss = logLoss;
    }

    /// <summary>The step, from 0.</summary>
    public int Step { get; }

    /// <summary>The predictions counted at this step.</summary>
    public long Count { get; }

    /// <summary>The share of predictions equal to the label.</summary>
    public double Accuracy { get; }

    /// <summary>The mean log-loss, as ML.NET's evaluator for the task computes it (see <see cref="SequenceClassificationMetrics.LogLoss"/>).</summary>
    public double LogLoss { get; }
}
