using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Turns a series (one row per time step) into sequence windows (one row per window) on <c>mlContext.Data</c>; normalises raw
/// windows and maps forecasts back to the original units inside a model on <c>mlContext.Transforms</c>.
/// </summary>
public static class SequenceWindowCatalog
{
    /// <summary>
    /// Makes a streaming view of sequence windows over a series: each output row holds <see cref="SequenceWindowOptions.WindowLength"/>
    /// consecutive steps of the input columns as one time-major Single vector, and the target column's value(s) some steps later as
    /// the label. See <see cref="SequenceWindowOptions"/> for the exact indexing and <see cref="SequenceWindowDataView"/> for
    /// streaming, skipping and row-count behaviour.
    /// </summary>
    /// <param name="catalog">The data operations catalog, <c>mlContext.Data</c>.</param>
    /// <param name="input">The series, one row per time step, in time order.</param>
    /// <param name="options">Columns, window length, horizon, stride, normalisation and output names. Copied: later changes to
    /// it do not affect the view.</param>
    /// <returns>The window view.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it and the types found and
    /// expected), an option is out of range, output names collide, or the series is known to be too short for one window.</exception>
    /// <example>
    /// <code>
    /// var windows = mlContext.Data.CreateSequenceWindows(prices, new SequenceWindowOptions
    /// {
    ///     InputColumns = ["Close"],
    ///     WindowLength = 50,
    ///     Normalization = SequenceWindowNormalization.RelativeToLast,
    ///     PassThroughColumns = ["Date"],
    /// });
    /// </code>
    /// </example>
    public static SequenceWindowDataView CreateSequenceWindows(this DataOperationsCatalog catalog, IDataView input, SequenceWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        return new SequenceWindowDataView(input, options);
    }

    /// <summary>
    /// Makes a streaming view of windows over one column of a series: the column is both the single feature per step and the
    /// target, the label is its value <paramref name="horizon"/> steps after each window's last step, and windows start at every
    /// row, unnormalised. Output columns are "Features" and "Label".
    /// </summary>
    /// <param name="catalog">The data operations catalog, <c>mlContext.Data</c>.</param>
    /// <param name="input">The series, one row per time step, in time order.</param>
    /// <param name="column">The Single or Double column to window.</param>
    /// <param name="windowLength">The number of steps in each window.</param>
    /// <param name="horizon">How many steps after the window's last step the label lies; 1 is the next step.</param>
    /// <returns>The window view.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The column is missing or of the wrong type, or a number is out of range.</exception>
    public static SequenceWindowDataView CreateSequenceWindows(this DataOperationsCatalog catalog, IDataView input, string column,
        int windowLength, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(column);
        return catalog.CreateSequenceWindows(input, new SequenceWindowOptions
        {
            InputColumns = [column],
            WindowLength = windowLength,
            Horizon = horizon,
        });
    }

    /// <summary>
    /// Normalises raw windows inside the model, as <see cref="SequenceWindowOptions.Normalization"/> does outside it: every value
    /// relative to the same feature's value at the window's first or last step (<c>p / p_ref - 1</c>), the target's reference value
    /// in <paramref name="referenceColumnName"/>, and the label (when the input has it, as in training) relative to that reference.
    /// With <see cref="DenormalizeSequenceForecast"/> after the trainer, the saved model takes raw windows and returns forecasts
    /// in the original units.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The normalised window column.</param>
    /// <param name="inputColumnName">The raw window column, a time-major Single vector (for example CreateSequenceWindows' <c>Features</c>
    /// with <see cref="SequenceWindowNormalization.None"/>); <paramref name="outputColumnName"/> when null.</param>
    /// <param name="normalization">Relative to the first or the last step of each window.</param>
    /// <param name="featuresPerStep">Values per step in the window (the input columns' count for CreateSequenceWindows).</param>
    /// <param name="referenceFeature">Which feature of a step is the forecast target (its index among the input columns).</param>
    /// <param name="referenceColumnName">The Single column receiving the target's reference value.</param>
    /// <param name="labelColumnName">A Single or Single-vector label normalised in place when the input has it; null for none.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or a required name is null.</exception>
    /// <exception cref="ArgumentException">The normalisation is <see cref="SequenceWindowNormalization.None"/> or unknown, a number is out
    /// of range, or output names collide.</exception>
    /// <remarks>A window CreateSequenceWindows would skip (a non-finite value, a zero reference, a normalised value beyond Single's range)
    /// comes out NaN, window, reference and label; such a row scores NaN, so its forecast is NaN too.</remarks>
    public static SequenceWindowNormalizingEstimator NormalizeSequenceWindow(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, SequenceWindowNormalization normalization = SequenceWindowNormalization.RelativeToLast,
        int featuresPerStep = 1, int referenceFeature = 0, string referenceColumnName = SequenceWindowOptions.DefaultReferenceColumnName,
        string? labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(outputColumnName);
        ArgumentNullException.ThrowIfNull(referenceColumnName);
        var settings = new WindowNormalizationSettings(normalization, featuresPerStep, referenceFeature, inputColumnName ?? outputColumnName,
            outputColumnName, referenceColumnName, labelColumnName ?? "");
        if (settings.Problem() is { } problem)
            throw new ArgumentException($"NormalizeSequenceWindow: {problem}.");
        return new SequenceWindowNormalizingEstimator(CatalogUtils.GetEnvironment(catalog), settings);
    }

    /// <summary>
    /// Maps forecasts made on normalised windows back to the original units inside the model: each value <c>y</c> becomes
    /// <c>reference × (1 + y)</c>, the inverse of both relative normalisations. The interval columns <c>LowerBound</c> and
    /// <c>UpperBound</c> are mapped back in place too when the input has them.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The forecast column written.</param>
    /// <param name="inputColumnName">The normalised forecast, Single or a Single vector (a multi-step forecast);
    /// <paramref name="outputColumnName"/> when null.</param>
    /// <param name="referenceColumnName">The Single column holding each window's reference value, as
    /// <see cref="NormalizeSequenceWindow"/> or CreateSequenceWindows write it.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or a required name is null.</exception>
    /// <exception cref="ArgumentException">A name is empty, or the output is named as the reference column.</exception>
    /// <remarks>A zero or non-finite reference gives NaN.</remarks>
    public static SequenceForecastDenormalizingEstimator DenormalizeSequenceForecast(this TransformsCatalog catalog,
        string outputColumnName = "Score", string? inputColumnName = null,
        string referenceColumnName = SequenceWindowOptions.DefaultReferenceColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(outputColumnName);
        ArgumentNullException.ThrowIfNull(referenceColumnName);
        var settings = ForecastDenormalizationSettings.Create(outputColumnName, inputColumnName ?? outputColumnName, referenceColumnName);
        if (settings.Problem() is { } problem)
            throw new ArgumentException($"DenormalizeSequenceForecast: {problem}.");
        return new SequenceForecastDenormalizingEstimator(CatalogUtils.GetEnvironment(catalog), settings);
    }
}
