using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace Microsoft.ML;

/// <summary>
/// <c>Rnn(...)</c> on the regression, binary and multiclass trainer catalogs: recurrent networks (RNN, LSTM, GRU)
/// trained on sequence columns. Each sets <see cref="RnnTrainer.Options.Task"/> to its catalog's task.
/// </summary>
public static class RnnCatalog
{
    /// <summary>An RNN regression trainer with full options (<see cref="RnnTrainer.Options.Task"/> is set to regression).</summary>
    public static RnnTrainer Rnn(this RegressionCatalog.RegressionTrainers catalog, RnnTrainer.Options options) =>
        Create(catalog, options, RnnTask.Regression);

    /// <summary>An RNN regression trainer: a <see cref="float"/> label (or vector), a time-major float vector of features.</summary>
    /// <param name="catalog">The regression trainers.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="featureColumnName">The sequence column.</param>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="cell">The recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per layer.</param>
    /// <param name="numberOfLayers">Stacked layers.</param>
    /// <param name="maxEpochs">Passes over the data.</param>
    public static RnnTrainer Rnn(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features, int inputSize = 1,
        RnnCellType cell = RnnCellType.Lstm, int hiddenSize = 32, int numberOfLayers = 1, int maxEpochs = 100) =>
        Create(catalog, Short(labelColumnName, featureColumnName, inputSize, cell, hiddenSize, numberOfLayers, maxEpochs), RnnTask.Regression);

    /// <summary>An RNN binary classification trainer with full options (<see cref="RnnTrainer.Options.Task"/> is set to binary).</summary>
    public static RnnTrainer Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RnnTrainer.Options options) =>
        Create(catalog, options, RnnTask.BinaryClassification);

    /// <summary>An RNN binary classification trainer: a <see cref="bool"/> label, a time-major float vector of features.</summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="featureColumnName">The sequence column.</param>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="cell">The recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per layer.</param>
    /// <param name="numberOfLayers">Stacked layers.</param>
    /// <param name="maxEpochs">Passes over the data.</param>
    public static RnnTrainer Rnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features, int inputSize = 1,
        RnnCellType cell = RnnCellType.Lstm, int hiddenSize = 32, int numberOfLayers = 1, int maxEpochs = 100) =>
        Create(catalog, Short(labelColumnName, featureColumnName, inputSize, cell, hiddenSize, numberOfLayers, maxEpochs), RnnTask.BinaryClassification);

    /// <summary>An RNN multiclass trainer with full options (<see cref="RnnTrainer.Options.Task"/> is set to multiclass).</summary>
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RnnTrainer.Options options) =>
        Create(catalog, options, RnnTask.MulticlassClassification);

    /// <summary>An RNN multiclass trainer: a key-typed label (use <c>MapValueToKey</c>), a time-major float vector of features.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="featureColumnName">The sequence column.</param>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="cell">The recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per layer.</param>
    /// <param name="numberOfLayers">Stacked layers.</param>
    /// <param name="maxEpochs">Passes over the data.</param>
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features, int inputSize = 1,
        RnnCellType cell = RnnCellType.Lstm, int hiddenSize = 32, int numberOfLayers = 1, int maxEpochs = 100) =>
        Create(catalog, Short(labelColumnName, featureColumnName, inputSize, cell, hiddenSize, numberOfLayers, maxEpochs), RnnTask.MulticlassClassification);

    private static RnnTrainer.Options Short(string label, string features, int inputSize, RnnCellType cell, int hiddenSize, int layers, int maxEpochs) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = features,
        InputSize = inputSize,
        Cell = cell,
        HiddenSize = hiddenSize,
        NumberOfLayers = layers,
        MaxEpochs = maxEpochs,
    };

    private static RnnTrainer Create(IInternalCatalog catalog, RnnTrainer.Options options, RnnTask task)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        RnnTrainer.Options copy = options.Clone();
        copy.Task = task;
        return new RnnTrainer(CatalogUtils.GetEnvironment(catalog), copy);
    }
}
