namespace Microsoft.ML.Rnn;

/// <summary>
/// The result of one walk-forward fold, as ML.NET's <c>CrossValidationResult&lt;T&gt;</c> is for a random fold: the model
/// trained on the rows before the fold's test block, that block scored by it, and its metrics.
/// </summary>
/// <typeparam name="TMetrics">The metrics type of the task's evaluator.</typeparam>
public sealed class TimeSeriesFoldResult<TMetrics>
    where TMetrics : class
{
    internal TimeSeriesFoldResult(TimeSeriesFold split, ITransformer model, IDataView scoredHoldOutSet, TMetrics metrics)
    {
        Split = split;
        Model = model;
        ScoredHoldOutSet = scoredHoldOutSet;
        Metrics = metrics;
    }

    /// <summary>The fold's number, from 0 (the earliest test block).</summary>
    public int Fold => Split.Index;

    /// <summary>Which rows the model trained on and which it was scored on.</summary>
    public TimeSeriesFold Split { get; }

    /// <summary>The model trained on <see cref="TimeSeriesFold.TrainSet"/>.</summary>
    public ITransformer Model { get; }

    /// <summary><see cref="TimeSeriesFold.TestSet"/> scored by <see cref="Model"/>.</summary>
    public IDataView ScoredHoldOutSet { get; }

    /// <summary>The evaluator's metrics on <see cref="ScoredHoldOutSet"/>.</summary>
    public TMetrics Metrics { get; }
}
