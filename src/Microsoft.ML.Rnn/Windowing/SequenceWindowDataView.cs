namespace Microsoft.ML.Rnn;

/// <summary>
/// An <see cref="IDataView"/> of sequence windows over a series, made by
/// <see cref="SequenceWindowCatalog.CreateSequenceWindows(DataOperationsCatalog, IDataView, SequenceWindowOptions)"/>:
/// one row per window, with a time-major feature vector, a label and the pass-through columns.
/// </summary>
/// <remarks>
/// <para>It streams: a cursor reads the source once, in order, through a ring buffer of
/// <c>WindowLength + Horizon + LabelSteps − 1</c> rows, so memory does not depend on the series length. The ring grows with
/// the rows read, so a window longer than the series fails as too short without allocating what the window would need.
/// Windows depend on row order, so the view cannot shuffle (<see cref="CanShuffle"/> is false, a random generator passed to a
/// cursor is ignored), and a cursor set always holds a single cursor. Shuffle windows downstream if a trainer needs it, for
/// example after caching them.</para>
/// <para>The row count is not known until a cursor has run to the end of the series once (NaN skipping makes it
/// unpredictable); after that <see cref="GetRowCount"/> returns it, as the source is assumed to return the same rows on every
/// pass, as every <see cref="IDataView"/> must.</para>
/// <para>Windows touching a NaN or infinite input, label or reference value, or a zero normalisation reference, or whose
/// normalised values would overflow Single, are skipped rather than raising an error; <see cref="LastCompletedPass"/> and <see cref="CountWindows"/> say how many.</para>
/// </remarks>
public sealed class SequenceWindowDataView : IDataView
{
    private readonly IDataView _source;
    private readonly SequenceWindowBinding _binding;
    private volatile SequenceWindowStatistics? _lastPass;

    internal SequenceWindowDataView(IDataView source, SequenceWindowOptions options)
    {
        _source = source;
        _binding = new SequenceWindowBinding(source.Schema, options.Clone());
        long? rows = source.GetRowCount();
        if (rows is long known && known < _binding.Options.MinimumRows)
        {
            throw new ArgumentException(
                $"The series is too short for even one window: it has {known} rows, and one window " +
                (options.IncludeUnlabeledTail ? $"needs WindowLength = {options.WindowLength} rows." :
                    $"and its label need WindowLength + Horizon + LabelSteps - 1 = {_binding.Options.MinimumRows} rows."),
                nameof(source));
        }
    }

    /// <inheritdoc/>
    public DataViewSchema Schema => _binding.OutputSchema;

    /// <summary>Always false: windows are made in series order.</summary>
    public bool CanShuffle => false;

    /// <summary>The number of features per step (the sum of the input columns' widths); the feature vector has
    /// <see cref="WindowLength"/> × this many values.</summary>
    public int FeaturesPerStep => _binding.FeaturesPerStep;

    /// <summary>The number of steps in each window.</summary>
    public int WindowLength => _binding.Options.WindowLength;

    /// <summary>The normalisation applied to each window.</summary>
    public SequenceWindowNormalization Normalization => _binding.Options.Normalization;

    /// <summary>
    /// The statistics of the last cursor that ran to the end of the series (rows read, windows produced and skipped), or null
    /// when none has yet.
    /// </summary>
    public SequenceWindowStatistics? LastCompletedPass => _lastPass;

    /// <summary>The number of windows, once a cursor has run to the end of the series; null before that.</summary>
    /// <returns>The window count, or null when it is not yet known.</returns>
    public long? GetRowCount() => _lastPass?.WindowsProduced;

    /// <summary>
    /// Runs one pass over the series without building any output value and returns what it found: windows produced, windows
    /// skipped, rows read. Costs one read of the input and target columns.
    /// </summary>
    /// <returns>The statistics of the pass.</returns>
    /// <exception cref="InvalidOperationException">The series is too short for even one window.</exception>
    public SequenceWindowStatistics CountWindows()
    {
        using var cursor = new SequenceWindowCursor(this, _binding, _source, new bool[Schema.Count]);
        while (cursor.MoveNext())
        {
        }

        return cursor.Statistics;
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="rand"/> is ignored: the view cannot shuffle.</remarks>
    /// <exception cref="InvalidOperationException">Thrown by the cursor's <c>MoveNext</c> when the series is too short for even
    /// one window.</exception>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= Schema.Count || Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentException($"Column '{column.Name}' (index {column.Index}) is not a column of this window view.", nameof(columnsNeeded));
            }

            active[column.Index] = true;
        }

        return new SequenceWindowCursor(this, _binding, _source, active);
    }

    /// <inheritdoc/>
    /// <remarks>Always returns a single cursor: windows are made in series order.</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    internal void RecordCompletedPass(SequenceWindowStatistics statistics) => _lastPass = statistics;
}
