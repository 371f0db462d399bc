using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>
/// A recurrent network, N vs M: the window's steps into the encoder, the next H values out of the decoder, all at once,
/// trained by <c>mlContext.Regression.Trainers.Rnn(...)</c> with <see cref="RnnHead.EncoderDecoder"/> and
/// <see cref="RnnTrainer.Options.OutputLength"/> H on labels of H values. Unlike the recursive forecast, no forecast is fed
/// back as if it were data, and the loss covers every day ahead.
/// </summary>
/// <remarks>Validation and scale as <see cref="RnnForecaster"/>: the latest training windows validate; the features are
/// multiplied by one over the root mean square of all the training label values (an <c>Expression</c> transform in
/// <see cref="Model"/>), and the trainer standardises the label per step.</remarks>
public sealed class EncoderDecoderForecaster : IPathForecaster
{
    private readonly MLContext _mlContext;
    private readonly RnnTrainer.Options _options;
    private readonly double _validationFraction;
    private readonly int _featureSize;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="mlContext">The context (its seed fixes the initial weights and the shuffling).</param>
    /// <param name="options">The trainer's options with <see cref="RnnHead.EncoderDecoder"/> and the output length H. The
    /// forecaster owns them from now on: <see cref="Fit"/> sets <see cref="RnnTrainer.Options.ValidationSet"/>.</param>
    /// <param name="featureSize">Values per window (steps × features per step).</param>
    /// <param name="validationFraction">The share of the training windows, at their end, used for validation, in [0, 0.5].</param>
    public EncoderDecoderForecaster(MLContext mlContext, RnnTrainer.Options options, int featureSize, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(validationFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validationFraction, 0.5);
        if (options.Head != RnnHead.EncoderDecoder)
        {
            throw new ArgumentException($"The encoder-decoder forecaster needs Head = EncoderDecoder; got {options.Head}.", nameof(options));
        }

        _mlContext = mlContext;
        _options = options;
        _featureSize = featureSize;
        _validationFraction = validationFraction;
    }

    /// <inheritdoc/>
    /// <remarks>"LSTM 32 encoder-decoder", or "GRU 2x64 encoder-decoder".</remarks>
    public string Name => $"{RnnForecaster.CellName(_options.Cell)} {(_options.NumberOfLayers > 1 ? $"{_options.NumberOfLayers}x" : "")}{_options.HiddenSize} encoder-decoder";

    /// <inheritdoc/>
    public int Steps => _options.OutputLength;

    /// <summary>The fitted pipeline, after <see cref="Fit"/>: scale the features, the network; <c>Score</c> is a vector of H.</summary>
    public ITransformer? Model { get; private set; }

    /// <summary>The trained network inside <see cref="Model"/>, after <see cref="Fit"/>.</summary>
    public RnnTransformer? Network { get; private set; }

    /// <summary>The factor the features are multiplied by before the network.</summary>
    public float FeatureScale { get; private set; } = 1;

    /// <summary>Windows trained on in the last <see cref="Fit"/>.</summary>
    public long TrainingRows { get; private set; }

    /// <summary>Windows held apart for validation in the last <see cref="Fit"/>.</summary>
    public long ValidationRows { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Too few training windows, or training failed.</exception>
    public void Fit(IReadOnlyList<PathWindow> trainingWindows)
    {
        ArgumentNullException.ThrowIfNull(trainingWindows);
        long validation = RnnForecaster.ValidationCount(trainingWindows.Count, _validationFraction);
        if (trainingWindows.Count - validation < 1 || (_validationFraction > 0 && validation < 1))
        {
            throw new InvalidOperationException(
                $"Only {trainingWindows.Count} training windows: too few to train the encoder-decoder and validate on {_validationFraction:P0} of them.");
        }

        double rms = Math.Sqrt(trainingWindows.SelectMany(w => w.Labels).Where(float.IsFinite).Select(y => (double)y * y).DefaultIfEmpty(0).Average());
        string factor = (rms > 1e-9 && double.IsFinite(rms) ? 1 / rms : 1).ToString("0.##########", CultureInfo.InvariantCulture);
        FeatureScale = float.Parse(factor, CultureInfo.InvariantCulture);

        int trainCount = (int)(trainingWindows.Count - validation);
        IDataView train = View(trainingWindows.Take(trainCount).ToList());
        var scaleFeatures = _mlContext.Transforms.Expression("Features", $"x => x * {factor}", "Features").Fit(train);
        _options.ValidationSet = validation > 0 ? scaleFeatures.Transform(View(trainingWindows.Skip(trainCount).ToList())) : null;
        Network = _mlContext.Regression.Trainers.Rnn(_options).Fit(scaleFeatures.Transform(train));
        Model = new TransformerChain<ITransformer>(scaleFeatures, Network);
        TrainingRows = trainCount;
        ValidationRows = validation;
    }

    /// <inheritdoc/>
    public float[][] Predict(IReadOnlyList<PathWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (Model is null)
        {
            throw new InvalidOperationException("Fit the encoder-decoder before predicting.");
        }

        var unknown = windows.Select(_ => Enumerable.Repeat(float.NaN, Steps).ToArray()).ToList();
        IDataView view = WindowViews.Path(_mlContext, windows.Select(w => w.Features).ToList(), unknown, _featureSize, Steps);
        return Model.Transform(view).GetColumn<VBuffer<float>>("Score").Select(s => s.DenseValues().ToArray()).ToArray();
    }

    /// <summary>The split-conformal factor the trainer multiplied the predicted scales by (one for all days); null when nothing
    /// was calibrated.</summary>
    public float? CalibrationFactor => Network?.IntervalCalibrationFactor;

    /// <summary>True when the network predicts a distribution, so <see cref="PredictIntervals"/> has intervals to give.</summary>
    public bool HasIntervals => _options.Distribution != RnnDistribution.None;

    /// <summary>Per window, the network's central interval of each of the H days, in the normalised scale.</summary>
    /// <param name="windows">The windows to forecast from.</param>
    /// <returns>Per window, H intervals, day 1 first.</returns>
    /// <exception cref="InvalidOperationException">Not fitted, or the network predicts no distribution.</exception>
    public NormalizedInterval[][] PredictIntervals(IReadOnlyList<PathWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (Model is null || !HasIntervals)
        {
            throw new InvalidOperationException(Model is null ? "Fit the encoder-decoder before predicting." : "This encoder-decoder predicts no distribution.");
        }

        var unknown = windows.Select(_ => Enumerable.Repeat(float.NaN, Steps).ToArray()).ToList();
        IDataView scored = Model.Transform(WindowViews.Path(_mlContext, windows.Select(w => w.Features).ToList(), unknown, _featureSize, Steps));
        var lower = scored.GetColumn<VBuffer<float>>("LowerBound").Select(b => b.DenseValues().ToArray()).ToList();
        var upper = scored.GetColumn<VBuffer<float>>("UpperBound").Select(b => b.DenseValues().ToArray()).ToList();
        return lower.Select((l, i) => l.Zip(upper[i], (a, b) => new NormalizedInterval(a, b)).ToArray()).ToArray();
    }

    private IDataView View(IReadOnlyList<PathWindow> windows) =>
        WindowViews.Path(_mlContext, windows.Select(w => w.Features).ToList(), windows.Select(w => w.Labels).ToList(), _featureSize, Steps);
}
