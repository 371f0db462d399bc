using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>
/// A recurrent network, N vs 1: the window's steps in, the (normalised) label out, trained by
/// <c>mlContext.Regression.Trainers.Rnn(...)</c>. The last <c>validationFraction</c> of the training windows (the latest ones,
/// not a random sample, so that validation, like the hold-out, lies after what the network learns from) is kept apart as the
/// trainer's validation set, for early stopping.
/// </summary>
public sealed class RnnForecaster : IForecaster
{
    private readonly MLContext _mlContext;
    private readonly RnnTrainer.Options _options;
    private readonly double _validationFraction;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="mlContext">The context (its seed fixes the initial weights and the shuffling).</param>
    /// <param name="options">The trainer's options. The forecaster owns them from now on: <see cref="Fit"/> sets
    /// <see cref="RnnTrainer.Options.ValidationSet"/>.</param>
    /// <param name="validationFraction">The share of the training windows, at their end, used for validation instead of
    /// training, in [0, 0.5]; 0 trains on all of them without a validation set.</param>
    public RnnForecaster(MLContext mlContext, RnnTrainer.Options options, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(validationFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validationFraction, 0.5);
        _mlContext = mlContext;
        _options = options;
        _validationFraction = validationFraction;
    }

    /// <inheritdoc/>
    /// <remarks>The cell and its size: "LSTM 32", or "GRU 2x64" for two layers of 64 units.</remarks>
    public string Name => $"{CellName(_options.Cell)} {(_options.NumberOfLayers > 1 ? $"{_options.NumberOfLayers}x" : "")}{_options.HiddenSize}";

    /// <summary>The trained model, after <see cref="Fit"/>.</summary>
    public RnnTransformer? Model { get; private set; }

    /// <summary>Windows trained on in the last <see cref="Fit"/>.</summary>
    public long TrainingRows { get; private set; }

    /// <summary>Windows held apart for validation in the last <see cref="Fit"/>.</summary>
    public long ValidationRows { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Fewer than two training windows, or training failed (see <see cref="RnnTrainer.Fit"/>).</exception>
    public void Fit(IDataView trainingWindows)
    {
        ArgumentNullException.ThrowIfNull(trainingWindows);
        long count = trainingWindows.GetColumn<float>(_options.LabelColumnName).LongCount();
        long validation = (long)Math.Round(count * _validationFraction);
        if (count - validation < 1 || (_validationFraction > 0 && validation < 1))
        {
            throw new InvalidOperationException(
                $"Only {count} training windows: too few to train the RNN and validate on {_validationFraction:P0} of them.");
        }

        IDataView train = trainingWindows;
        _options.ValidationSet = null;
        if (validation > 0)
        {
            train = _mlContext.Data.TakeRows(trainingWindows, count - validation);
            _options.ValidationSet = _mlContext.Data.SkipRows(trainingWindows, count - validation);
        }

        TrainingRows = count - validation;
        ValidationRows = validation;
        Model = _mlContext.Regression.Trainers.Rnn(_options).Fit(train);
    }

    /// <inheritdoc/>
    public float[] Predict(IDataView windows)
    {
        if (Model is null)
        {
            throw new InvalidOperationException("Fit the RNN before predicting.");
        }

        return Model.Transform(windows).GetColumn<float>("Score").ToArray();
    }

    /// <summary>The cell's usual name: RNN, LSTM or GRU.</summary>
    public static string CellName(RnnCellType cell) => cell.ToString().ToUpperInvariant();
}
