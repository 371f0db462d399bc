namespace Microsoft.ML.Rnn;

/// <summary>
/// Turns a series (one row per time step) into sequence windows (one row per window) on <c>mlContext.Data</c>.
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
}
