namespace Microsoft.ML.Rnn;

/// <summary>What one complete pass over a series produced: rows read, windows produced and windows skipped.</summary>
/// <remarks>
/// A window is skipped, not an error raised, when any of its input values, any of its label values or its reference value is
/// NaN or infinite (or a Double too large for Single), when normalisation would divide by a zero reference value, or when
/// normalisation would make a value too large for Single (a finite value over a tiny reference, such as 1 / 1e-40).
/// Skipping leaves a gap: the next window is still the next candidate on the stride grid, so windows never shift.
/// </remarks>
public sealed class SequenceWindowStatistics
{
    /// <summary>Creates the statistics of one pass.</summary>
    /// <param name="rowsRead">Source rows read.</param>
    /// <param name="rowsWithNonFiniteValues">Source rows where an input or the target value was NaN or infinite.</param>
    /// <param name="windowsProduced">Windows produced (output rows).</param>
    /// <param name="windowsSkippedForNonFiniteValues">Windows skipped because they touched a NaN or infinite value, or normalising
    /// one of their values overflowed Single.</param>
    /// <param name="windowsSkippedForZeroReference">Windows skipped because a normalisation reference value was zero.</param>
    public SequenceWindowStatistics(long rowsRead, long rowsWithNonFiniteValues, long windowsProduced,
        long windowsSkippedForNonFiniteValues, long windowsSkippedForZeroReference)
    {
        RowsRead = rowsRead;
        RowsWithNonFiniteValues = rowsWithNonFiniteValues;
        WindowsProduced = windowsProduced;
        WindowsSkippedForNonFiniteValues = windowsSkippedForNonFiniteValues;
        WindowsSkippedForZeroReference = windowsSkippedForZeroReference;
    }

    /// <summary>Source rows read (the series length).</summary>
    public long RowsRead { get; }

    /// <summary>Source rows in which an input value or the target value was NaN or infinite.</summary>
    public long RowsWithNonFiniteValues { get; }

    /// <summary>Windows produced, that is, rows of the window view.</summary>
    public long WindowsProduced { get; }

    /// <summary>Windows skipped because an input, label or reference value was NaN or infinite, or because normalisation made
    /// a feature or label value too large for Single.</summary>
    public long WindowsSkippedForNonFiniteValues { get; }

    /// <summary>Windows skipped because normalisation would have divided by a zero reference value.</summary>
    public long WindowsSkippedForZeroReference { get; }

    /// <summary>All skipped windows.</summary>
    public long WindowsSkipped => WindowsSkippedForNonFiniteValues + WindowsSkippedForZeroReference;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{RowsRead} rows read ({RowsWithNonFiniteValues} with NaN/Infinity), {WindowsProduced} windows produced, " +
        $"{WindowsSkipped} skipped ({WindowsSkippedForNonFiniteValues} non-finite, {WindowsSkippedForZeroReference} zero reference)";
}
