using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace Microsoft.ML;

/// <summary>
/// Walk-forward (rolling-origin) evaluation for data in time order: <c>mlContext.Data.TimeSeriesSplit</c> and
/// <c>CrossValidateTimeSeries</c> on the regression, binary and multiclass catalogs. ML.NET's <c>TrainTestSplit</c> and
/// <c>CrossValidate</c> assign rows to folds at random, so with a series the model is trained on windows from after the
/// ones it is scored on, and the metrics look better than any real forecast can be. Here every fold trains only on rows
/// before its test block.
/// </summary>
/// <remarks>
/// Rows are taken in the data's order, which must be time order (windows from <c>CreateSequenceWindows</c> are). With
/// <c>numberOfFolds</c> = K and test blocks of t rows (by default rows / (K + 1)), the last K·t rows are cut into K
/// consecutive blocks; fold k trains on rows <c>[0, s_k − gap)</c> and is scored on <c>[s_k, s_k + t)</c>, where
/// <c>s_k = rows − (K − k)·t</c>. The gap leaves out the training rows just before a block, whose windows overlap the
/// block's: with windows of stride 1, <c>gap = Horizon + LabelSteps − 2</c> keeps every training label at or before the
/// first test window's last input step (0 for one-step-ahead forecasts).
/// </remarks>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The overloads extend different catalogs, so no call can match two of them.")]
public static class TimeSeriesCrossValidationCatalog
{
    /// <summary>
    /// Cuts data in time order into walk-forward folds: fold k trains on the rows before its test block (less the
    /// <paramref name="gap"/> rows just before it), and the test blocks are consecutive and end at the last row. Each fold's
    /// sets are views of <paramref name="data"/> in its order; nothing is copied.
    /// </summary>
    /// <param name="catalog">The data operations catalog, <c>mlContext.Data</c>.</param>
    /// <param name="data">The rows, in time order.</param>
    /// <param name="numberOfFolds">The number of folds (test blocks), at least 1.</param>
    /// <param name="gap">Rows left out between each fold's training rows and its test block, at least 0.</param>
    /// <param name="testRowCount">Rows per test block; null = rows / (<paramref name="numberOfFolds"/> + 1).</param>
    /// <returns>The folds, earliest test block first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numberOfFolds"/> &lt; 1, <paramref name="gap"/> &lt; 0 or
    /// <paramref name="testRowCount"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">The data has too few rows for the test blocks, the gap and at least one training row
    /// in the first fold (the message gives the counts).</exception>
    public static IReadOnlyList<TimeSeriesFold> TimeSeriesSplit(this DataOperationsCatalog catalog, IDataView data,
        int numberOfFolds = 5, int gap = 0, int? testRowCount = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TimeSeriesSplitter.Split(data, numberOfFolds, gap, testRowCount);
    }

    /// <summary>
    /// Walk-forward cross-validation of a regression pipeline on data in time order: for every fold of
    /// <see cref="TimeSeriesSplit"/> it fits <paramref name="estimator"/> on the rows before the fold's test block, scores the
    /// block and evaluates it with <c>mlContext.Regression.Evaluate</c> (a scalar <c>Score</c>; for sequence outputs use
    /// <see cref="TimeSeriesSplit"/> and <c>EvaluateSequence</c>).
    /// </summary>
    /// <param name="catalog">The regression catalog, <c>mlContext.Regression</c>.</param>
    /// <param name="data">The rows, in time order.</param>
    /// <param name="estimator">The pipeline to train on each fold.</param>
    /// <param name="numberOfFolds">The number of folds (test blocks), at least 1.</param>
    /// <param name="gap">Rows left out between each fold's training rows and its test block, at least 0.</param>
    /// <param name="testRowCount">Rows per test block; null = rows / (<paramref name="numberOfFolds"/> + 1).</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <returns>One result per fold, earliest test block first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException">The data has too few rows for the folds.</exception>
    public static IReadOnlyList<TimeSeriesFoldResult<RegressionMetrics>> CrossValidateTimeSeries(this RegressionCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, int gap = 0, int? testRowCount = null,
        string labelColumnName = DefaultColumnNames.Label)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Run(data, estimator, numberOfFolds, gap, testRowCount, scored => catalog.Evaluate(scored, labelColumnName));
    }

    /// <summary>
    /// Walk-forward cross-validation of a binary classification pipeline on data in time order, evaluated with
    /// <c>mlContext.BinaryClassification.Evaluate</c> (which needs a <c>Probability</c> column, as the RNN trainer gives). See the
    /// regression overload.
    /// </summary>
    /// <param name="catalog">The binary classification catalog, <c>mlContext.BinaryClassification</c>.</param>
    /// <param name="data">The rows, in time order.</param>
    /// <param name="estimator">The pipeline to train on each fold.</param>
    /// <param name="numberOfFolds">The number of folds (test blocks), at least 1.</param>
    /// <param name="gap">Rows left out between each fold's training rows and its test block, at least 0.</param>
    /// <param name="testRowCount">Rows per test block; null = rows / (<paramref name="numberOfFolds"/> + 1).</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <returns>One result per fold, earliest test block first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException">The data has too few rows for the folds.</exception>
    public static IReadOnlyList<TimeSeriesFoldResult<CalibratedBinaryClassificationMetrics>> CrossValidateTimeSeries(
        this BinaryClassificationCatalog catalog, IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5,
        int gap = 0, int? testRowCount = null, string labelColumnName = DefaultColumnNames.Label)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Run(data, estimator, numberOfFolds, gap, testRowCount, scored => catalog.Evaluate(scored, labelColumnName));
    }

    /// <summary>
    /// Walk-forward cross-validation of a multiclass pipeline on data in time order, evaluated with
    /// <c>mlContext.MulticlassClassification.Evaluate</c>. See the regression overload.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog, <c>mlContext.MulticlassClassification</c>.</param>
    /// <param name="data">The rows, in time order.</param>
    /// <param name="estimator">The pipeline to train on each fold.</param>
    /// <param name="numberOfFolds">The number of folds (test blocks), at least 1.</param>
    /// <param name="gap">Rows left out between each fold's training rows and its test block, at least 0.</param>
    /// <param name="testRowCount">Rows per test block; null = rows / (<paramref name="numberOfFolds"/> + 1).</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <returns>One result per fold, earliest test block first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException">The data has too few rows for the folds.</exception>
    public static IReadOnlyList<TimeSeriesFoldResult<MulticlassClassificationMetrics>> CrossValidateTimeSeries(
        this MulticlassClassificationCatalog catalog, IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5,
        int gap = 0, int? testRowCount = null, string labelColumnName = DefaultColumnNames.Label)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Run(data, estimator, numberOfFolds, gap, testRowCount, scored => catalog.Evaluate(scored, labelColumnName));
    }

    private static TimeSeriesFoldResult<TMetrics>[] Run<TMetrics>(IDataView data, IEstimator<ITransformer> estimator,
        int numberOfFolds, int gap, int? testRowCount, Func<IDataView, TMetrics> evaluate)
        where TMetrics : class
    {
        ArgumentNullException.ThrowIfNull(estimator);
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplitter.Split(data, numberOfFolds, gap, testRowCount);
        var results = new TimeSeriesFoldResult<TMetrics>[folds.Count];
        foreach (TimeSeriesFold fold in folds)
        {
            ITransformer model = estimator.Fit(fold.TrainSet);
            IDataView scored = model.Transform(fold.TestSet);
            results[fold.Index] = new TimeSeriesFoldResult<TMetrics>(fold, model, scored, evaluate(scored));
        }

        return results;
    }
}
