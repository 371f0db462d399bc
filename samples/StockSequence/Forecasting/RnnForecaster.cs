using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>
/// A recurrent network, N vs 1: the window's steps in, the (normalised) label out, trained by
/// <c>mlContext.Regression.Trainers.Rnn(...)</c>.
/// </summary>
/// <remarks>
/// <para>Validation. The last <c>validationFraction</c> of the training windows (the latest ones, not a random sample, so that
/// validation, like the hold-out, lies after what the network learns from) is kept apart as the trainer's validation set, for
/// early stopping.</para>
/// <para>Scale. Normalised windows hold relative changes of about a percent a day: too small for a network that starts from
/// weights of order one and takes optimizer steps of about the learning rate (it learns slowly and noisily). The label is the
/// trainer's to scale (<see cref="RnnTrainer.Options.StandardizeLabel"/>, on by default for regression: it trains on the
/// standardised label and scores in the label's units). The features are not, so they are multiplied by
/// <see cref="FeatureScale"/>, one over the training labels' root mean square (a day's typical move becomes about 1), with an
/// ML.NET <c>Expression</c> transform in the fitted pipeline (<see cref="Model"/>), so the saved model takes windows in their
/// own scale.</para>
/// </remarks>
public sealed class RnnForecaster : IForecaster
{
    private readonly MLContext _mlContext;
    private readonly RnnTrainer.Options _options;
    private readonly double _validationFraction;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="mlContext">The context (its seed fixes the initial weights and the shuffling).</param>
    /// <param name="options">The trainer's options, for the columns "Features" and "Label". The forecaster owns them from now
    /// on: <see cref="Fit"/> sets <see cref="RnnTrainer.Options.ValidationSet"/>.</param>
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

    /// <summary>The fitted pipeline, after <see cref="Fit"/>: scale the features, the network. Windows in, <c>Score</c> out in
    /// the label's (normalised) scale; this is what is saved.</summary>
    public ITransformer? Model { get; private set; }

    /// <summary>The trained network inside <see cref="Model"/>, after <see cref="Fit"/> (for its training history).</summary>
    public RnnTransformer? Network { get; private set; }

    /// <summary>The factor the features are multiplied by before the network: one over the root mean square of the training
    /// labels.</summary>
    public float FeatureScale { get; private set; } = 1;

    /// <summary>Windows trained on in the last <see cref="Fit"/>.</summary>
    public long TrainingRows { get; private set; }

    /// <summary>Windows held apart for validation in the last <see cref="Fit"/>.</summary>
    public long ValidationRows { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Too few training windows, or training failed (see <see cref="RnnTrainer.Fit"/>).</exception>
    public void Fit(IDataView trainingWindows)
    {
        ArgumentNullException.ThrowIfNull(trainingWindows);
        float[] labels = trainingWindows.GetColumn<float>("Label").ToArray();
        long validation = ValidationCount(labels.Length, _validationFraction);
        if (labels.Length - validation < 1 || (_validationFraction > 0 && validation < 1))
        {
            throw new InvalidOperationException(
                $"Only {labels.Length} training windows: too few to train the RNN and validate on {_validationFraction:P0} of them.");
        }

        IDataView train = trainingWindows, validationSet = trainingWindows;
        if (validation > 0)
        {
            train = _mlContext.Data.TakeRows(trainingWindows, labels.Length - validation);
            validationSet = _mlContext.Data.SkipRows(trainingWindows, labels.Length - validation);
        }

        double rms = Math.Sqrt(labels.Where(float.IsFinite).Select(y => (double)y * y).DefaultIfEmpty(0).Average());
        string factor = (rms > 1e-9 && double.IsFinite(rms) ? 1 / rms : 1).ToString("0.##########", CultureInfo.InvariantCulture);
        FeatureScale = float.Parse(factor, CultureInfo.InvariantCulture);

        var scaleFeatures = _mlContext.Transforms.Expression("Features", $"x => x * {factor}", "Features").Fit(train);
        _options.ValidationSet = validation > 0 ? scaleFeatures.Transform(validationSet) : null;
        Network = _mlContext.Regression.Trainers.Rnn(_options).Fit(scaleFeatures.Transform(train));
        Model = new TransformerChain<ITransformer>(scaleFeatures, Network);
        TrainingRows = labels.Length - validation;
        ValidationRows = validation;
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

    /// <summary>True when the network predicts a distribution (<see cref="RnnTrainer.Options.Distribution"/>), so
    /// <see cref="PredictIntervals"/> has intervals to give.</summary>
    public bool HasIntervals => _options.Distribution != RnnDistribution.None;

    /// <summary>The split-conformal factor the trainer multiplied the predicted scales by, after <see cref="Fit"/>; null when
    /// nothing was calibrated (a point forecast, or no validation windows).</summary>
    public float? CalibrationFactor => Network?.IntervalCalibrationFactor;

    /// <summary>The network's central interval per window (the columns LowerBound and UpperBound), in the label's (normalised)
    /// scale, in the windows' order.</summary>
    /// <param name="windows">The windows to forecast from.</param>
    /// <returns>The intervals.</returns>
    /// <exception cref="InvalidOperationException">Not fitted, or the network predicts no distribution.</exception>
    public NormalizedInterval[] PredictIntervals(IDataView windows)
    {
        if (Model is null || !HasIntervals)
        {
            throw new InvalidOperationException(Model is null ? "Fit the RNN before predicting." : "This RNN predicts no distribution, so it has no intervals.");
        }

        IDataView scored = Model.Transform(windows);
        float[] lower = scored.GetColumn<float>("LowerBound").ToArray();
        float[] upper = scored.GetColumn<float>("UpperBound").ToArray();
        return lower.Zip(upper, (l, u) => new NormalizedInterval(l, u)).ToArray();
    }

    /// <summary>How many of <paramref name="trainingWindows"/> windows, the latest, <see cref="Fit"/> holds apart for validation.</summary>
    public static long ValidationCount(long trainingWindows, double validationFraction) =>
        Math.Max(0, (long)Math.Round(trainingWindows * validationFraction));

    /// <summary>The cell's usual name: RNN, LSTM or GRU.</summary>
    public static string CellName(RnnCellType cell) => cell.ToString().ToUpperInvariant();
}
