namespace Microsoft.ML.Rnn;

/// <summary>
/// Sums for regression metrics over a stream of (label, score) pairs: absolute and squared errors, and the labels' mean and
/// sum of squared deviations by Welford's update (a difference of large sums would lose R² to cancellation).
/// </summary>
internal sealed class RegressionAccumulator
{
    private double _absoluteErrors;
    private double _squaredErrors;
    private double _labelMean;
    private double _labelDeviations;

    public long Count { get; private set; }

    public void Add(double label, double score)
    {
        Count++;
        double error = score - label;
        _absoluteErrors += Math.Abs(error);
        _squaredErrors += error * error;
        double delta = label - _labelMean;
        _labelMean += delta / Count;
        _labelDeviations += delta * (label - _labelMean);
    }

    public double MeanAbsoluteError => _absoluteErrors / Count;

    public double MeanSquaredError => _squaredErrors / Count;

    /// <summary>1 − SSE / SST; NaN when the labels do not vary (SST = 0), where it is undefined.</summary>
    public double RSquared => _labelDeviations > 0 ? 1 - _squaredErrors / _labelDeviations : double.NaN;

    public SequenceStepRegressionMetrics ToStepMetrics(int step) =>
        new(step, Count, MeanAbsoluteError, MeanSquaredError, RSquared);
}
