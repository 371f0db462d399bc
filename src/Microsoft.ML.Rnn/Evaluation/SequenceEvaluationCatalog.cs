using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace Microsoft.ML;

/// <summary>
/// <c>EvaluateSequence</c> on the regression, binary and multiclass catalogs: metrics per output step and overall for
/// sequence outputs (an N vs N head's score vectors, or a multi-step label), which ML.NET's <c>Evaluate</c> refuses. A
/// scalar score (N vs 1) is one step, and gives what ML.NET's <c>Evaluate</c> gives for the metrics both have.
/// </summary>
/// <remarks>
/// Rows may differ in length: a step counts only in the rows that have it. A NaN score (a row the model could not score)
/// or a missing label (NaN, or key 0) skips that value and is counted in <c>NaNScoreCount</c> or <c>MissingLabelCount</c>;
/// a row whose label and score lengths disagree throws <see cref="InvalidOperationException"/> naming the row.
/// </remarks>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The overloads extend different catalogs, so no call can match two of them.")]
public static class SequenceEvaluationCatalog
{
    /// <summary>
    /// Evaluates sequence regression outputs: RMSE, MAE, MSE and R² for each output step and over all steps. The RNN trainer's
    /// N vs N <c>Score</c> holds steps × outputs values, time-major; with several outputs per step, a step's metrics pool all
    /// its outputs.
    /// </summary>
    /// <param name="catalog">The regression catalog, <c>mlContext.Regression</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The label: <see cref="float"/> or a vector of them (any size, fixed or variable).</param>
    /// <param name="scoreColumnName">The score: as many values as the label in every row.</param>
    /// <param name="outputsPerStep">Values per step in the label and score (the RNN's outputs per step), at least 1.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or <paramref name="outputsPerStep"/>
    /// &lt; 1.</exception>
    /// <exception cref="InvalidOperationException">A row's label and score lengths differ or are not a multiple of
    /// <paramref name="outputsPerStep"/>.</exception>
    public static SequenceRegressionMetrics EvaluateSequence(this RegressionCatalog catalog, IDataView data,
        string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = RnnOutputColumns.Score, int outputsPerStep = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputsPerStep, 1);
        return SequenceEvaluator.Regression(data, labelColumnName, scoreColumnName, outputsPerStep);
    }

    /// <summary>
    /// Evaluates sequence binary outputs: accuracy and log-loss for each step and over all steps. A step is predicted positive
    /// when its score (the RNN's logit) is above 0, and its log-loss comes from its probability, as in ML.NET's binary
    /// evaluator (in bits).
    /// </summary>
    /// <param name="catalog">The binary classification catalog, <c>mlContext.BinaryClassification</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The label: <see cref="bool"/> or a vector of them, one per step.</param>
    /// <param name="scoreColumnName">The score, one per step.</param>
    /// <param name="probabilityColumnName">The probability of a true label, one per step.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A row's label, score and probability lengths differ.</exception>
    public static SequenceClassificationMetrics EvaluateSequence(this BinaryClassificationCatalog catalog, IDataView data,
        string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = RnnOutputColumns.Score,
        string probabilityColumnName = RnnOutputColumns.Probability)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return SequenceEvaluator.Binary(data, labelColumnName, scoreColumnName, probabilityColumnName);
    }

    /// <summary>
    /// Evaluates sequence multiclass outputs: accuracy and log-loss for each step and over all steps. The score holds steps ×
    /// classes probabilities, time-major (the RNN trainer's N vs N <c>Score</c>); a step's prediction is its most probable
    /// class, and its log-loss −ln of the true class's probability, as in ML.NET's multiclass evaluator.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog, <c>mlContext.MulticlassClassification</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The label: a UInt32 key or a vector of them, one per step; its key count is the number of
    /// classes.</param>
    /// <param name="scoreColumnName">The class probabilities: steps × classes values.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A row's score does not hold steps × classes values.</exception>
    public static SequenceClassificationMetrics EvaluateSequence(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = RnnOutputColumns.Score)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return SequenceEvaluator.Multiclass(data, labelColumnName, scoreColumnName);
    }
}
