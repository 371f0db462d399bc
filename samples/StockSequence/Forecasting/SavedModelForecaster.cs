using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>
/// A saved model loaded in a new <see cref="MLContext"/>, as an application that has only the model file would use it:
/// it scores window views, and it forecasts from plain prices through a <c>PredictionEngine</c>, normalising each window
/// the way the windows it was trained on were and mapping the score back to a price. Several days ahead are forecast one
/// day at a time, each forecast taken as the newest price of the next window.
/// </summary>
/// <remarks>For windows of one feature per step, the price itself (as the sample makes them).</remarks>
public sealed class SavedModelForecaster : IDisposable
{
    private readonly ITransformer _model;
    private readonly PredictionEngine<PriceWindow, PriceForecast> _engine;
    private readonly int _windowLength;
    private readonly SequenceWindowNormalization _normalization;

    /// <summary>Loads the model.</summary>
    /// <param name="path">The model file, saved by <c>mlContext.Model.Save</c>.</param>
    /// <param name="windowLength">The steps per window the model was trained on.</param>
    /// <param name="normalization">The normalisation of the windows it was trained on.</param>
    public SavedModelForecaster(string path, int windowLength, SequenceWindowNormalization normalization)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowLength, 1);
        var mlContext = new MLContext();
        _model = mlContext.Model.Load(path, out _);
        var input = SchemaDefinition.Create(typeof(PriceWindow));
        input[nameof(PriceWindow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, windowLength);
        _engine = mlContext.Model.CreatePredictionEngine<PriceWindow, PriceForecast>(_model, inputSchemaDefinition: input);
        _windowLength = windowLength;
        _normalization = normalization;
    }

    /// <summary>The model's scores for a view of windows (in the label's normalised scale), in order.</summary>
    public float[] Score(IDataView windows) => _model.Transform(windows).GetColumn<float>("Score").ToArray();

    /// <summary>Forecasts the next <paramref name="days"/> prices after the last of <paramref name="prices"/>, one day at a
    /// time: each forecast becomes the newest price of the window for the next.</summary>
    /// <param name="prices">The series so far, oldest first; at least the window length, all finite and positive.</param>
    /// <param name="days">How many days to forecast.</param>
    /// <returns>The forecast prices, day after day.</returns>
    /// <exception cref="ArgumentException">Too few prices, or one of the last window's is missing or not positive.</exception>
    public double[] ForecastDays(IReadOnlyList<double> prices, int days)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        if (prices.Count < _windowLength)
        {
            throw new ArgumentException($"Need at least {_windowLength} prices for one window; got {prices.Count}.", nameof(prices));
        }

        var window = prices.Skip(prices.Count - _windowLength).ToList();
        if (window.Any(p => !double.IsFinite(p) || p <= 0))
        {
            throw new ArgumentException("The last window has a missing or non-positive price.", nameof(prices));
        }

        var forecasts = new double[days];
        for (int day = 0; day < days; day++)
        {
            forecasts[day] = ForecastNext(window);
            window.RemoveAt(0);
            window.Add(forecasts[day]);
        }

        return forecasts;
    }

    /// <inheritdoc/>
    public void Dispose() => _engine.Dispose();

    private double ForecastNext(IReadOnlyList<double> window)
    {
        // As the window view does: the ratio in double, rounded to float once; the reference rounded to float.
        double reference = _normalization switch
        {
            SequenceWindowNormalization.RelativeToFirst => window[0],
            SequenceWindowNormalization.RelativeToLast => window[^1],
            _ => double.NaN,
        };
        var features = new float[window.Count];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = _normalization == SequenceWindowNormalization.None ? (float)window[i] : (float)(window[i] / reference - 1.0);
        }

        float score = _engine.Predict(new PriceWindow { Features = features }).Score;
        return SequenceWindowNormalizer.Denormalize(score, (float)reference, _normalization);
    }

    /// <summary>The prediction engine's input: one window's time-major features (its size is set when the engine is made).</summary>
    private sealed class PriceWindow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>The prediction engine's output.</summary>
    private sealed class PriceForecast
    {
        public float Score { get; set; }
    }
}
