using Microsoft.ML;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>
/// The recursive N vs 1 forecast of H days: a one-day model applied H times, each forecast taken as the newest value of the
/// next window (the oldest dropped), which is normalised again the way the model's windows are. Errors compound: day h
/// forecasts from h − 1 forecasts.
/// </summary>
/// <remarks>
/// <para>Scale. The paths are relative to the origin window's reference, as the labels are. Internally each window is held as
/// prices over that reference (1 + value when normalised, the price itself when not), so that each step's window can be
/// normalised against its own last (or first) value. Normalisation is linear in the price, so a one-day model that is linear
/// in its window (persistence, a trend extrapolated) gives the same path as it would on raw prices.</para>
/// <para>Training. The one-day model learns from the same windows as the path models, with each window's day-1 value as its
/// label.</para>
/// </remarks>
public sealed class RecursiveForecaster : IPathForecaster
{
    private readonly MLContext _mlContext;
    private readonly WindowLayout _layout;
    private readonly IForecaster _oneDay;
    private readonly SequenceWindowNormalization _normalization;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="mlContext">The context (for the views the one-day model is given).</param>
    /// <param name="layout">The windows' shape: one feature per step, the target (the future has no other features).</param>
    /// <param name="oneDay">The one-day model (trained by <see cref="Fit"/>).</param>
    /// <param name="steps">Days forecast per window (H).</param>
    /// <param name="normalization">The windows' normalisation.</param>
    public RecursiveForecaster(MLContext mlContext, WindowLayout layout, IForecaster oneDay, int steps, SequenceWindowNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(oneDay);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (layout.FeaturesPerStep != 1)
        {
            throw new ArgumentException(
                $"A recursive forecast needs windows of the target alone (1 feature per step; got {layout.FeaturesPerStep}): other features have no forecasts to feed back.",
                nameof(layout));
        }

        _mlContext = mlContext;
        _layout = layout;
        _oneDay = oneDay;
        Steps = steps;
        _normalization = normalization;
    }

    /// <inheritdoc/>
    public string Name => $"{_oneDay.Name} recursive";

    /// <inheritdoc/>
    public int Steps { get; }

    /// <summary>The one-day model applied at every step.</summary>
    public IForecaster OneDay => _oneDay;

    /// <inheritdoc/>
    public void Fit(IReadOnlyList<PathWindow> trainingWindows)
    {
        ArgumentNullException.ThrowIfNull(trainingWindows);
        _oneDay.Fit(WindowViews.OneDay(_mlContext, trainingWindows.Select(w => w.Features).ToList(),
            trainingWindows.Select(w => w.Labels[0]).ToList(), _layout.WindowLength * _layout.FeaturesPerStep));
    }

    /// <inheritdoc/>
    /// <remarks>All windows step together: one call of the one-day model per day ahead.</remarks>
    public float[][] Predict(IReadOnlyList<PathWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        bool normalized = _normalization != SequenceWindowNormalization.None;
        // Each window as prices over the origin's reference; the forecasts are appended as they come.
        var prices = windows.Select(w => w.Features.Select(f => normalized ? 1.0 + f : f).ToList()).ToList();
        var paths = windows.Select(_ => new float[Steps]).ToArray();
        var nan = Enumerable.Repeat(float.NaN, windows.Count).ToList();
        for (int step = 0; step < Steps; step++)
        {
            var references = prices.Select(Reference).ToArray();
            var inputs = prices.Select((p, i) => p.Skip(p.Count - _layout.WindowLength)
                .Select(v => normalized ? (float)(v / references[i] - 1.0) : (float)v).ToArray()).ToList();
            float[] forecasts = _oneDay.Predict(WindowViews.OneDay(_mlContext, inputs, nan, _layout.WindowLength));
            for (int i = 0; i < windows.Count; i++)
            {
                double next = normalized ? references[i] * (1.0 + forecasts[i]) : forecasts[i];
                prices[i].Add(next);
                paths[i][step] = (float)(normalized ? next - 1.0 : next);
            }
        }

        return paths;
    }

    /// <summary>The value the current window (the last <see cref="WindowLayout.WindowLength"/> prices) is normalised against.</summary>
    private double Reference(List<double> prices) => _normalization switch
    {
        SequenceWindowNormalization.RelativeToLast => prices[^1],
        SequenceWindowNormalization.RelativeToFirst => prices[prices.Count - _layout.WindowLength],
        _ => double.NaN,
    };
}
