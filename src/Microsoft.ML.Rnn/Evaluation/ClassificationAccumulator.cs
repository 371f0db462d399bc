namespace Microsoft.ML.Rnn;

/// <summary>Counts for classification metrics over a stream of predictions: how many, how many right, the summed log-loss.</summary>
internal sealed class ClassificationAccumulator
{
    private long _correct;
    private double _logLoss;

    public long Count { get; private set; }

    public void Add(bool correct, double logLoss)
    {
        Count++;
        if (correct)
            _correct++;
        _logLoss += logLoss;
    }

    public double Accuracy => (double)_correct / Count;

    public double LogLoss => _logLoss / Count;

    public SequenceStepClassificationMetrics ToStepMetrics(int step) => new(step, Count, Accuracy, LogLoss);
}
