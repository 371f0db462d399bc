namespace Microsoft.ML.Rnn;

/// <summary>
/// Cuts data in time order into expanding-window folds. The test blocks are the last <c>folds × testRows</c> rows, cut into
/// consecutive blocks of <c>testRows</c>; fold k trains on every row before its block except the <c>gap</c> rows just before
/// it. So the blocks cover the tail without holes whatever the gap (the gap costs training rows, not test rows, as in
/// scikit-learn's <c>TimeSeriesSplit</c>), and no fold trains on a row at or after its test block.
/// </summary>
internal static class TimeSeriesSplitter
{
    public static IReadOnlyList<TimeSeriesFold> Split(IDataView data, int numberOfFolds, int gap, int? testRowCount)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfFolds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        if (testRowCount is int t)
            ArgumentOutOfRangeException.ThrowIfLessThan(t, 1, nameof(testRowCount));

        long rows = CountRows(data);
        long testRows = testRowCount ?? rows / (numberOfFolds + 1);
        long firstTrainRows = rows - numberOfFolds * testRows - gap;
        if (testRows < 1)
        {
            throw new ArgumentException(
                $"The data has {rows} rows: too few for {numberOfFolds} test blocks and rows to train on before them (test blocks are " +
                $"rows / (folds + 1) = {testRows} rows long). Use fewer folds or more data.", nameof(data));
        }

        if (firstTrainRows < 1)
        {
            throw new ArgumentException(
                $"The data has {rows} rows; {numberOfFolds} test blocks of {testRows} rows and a gap of {gap} rows leave {firstTrainRows} " +
                $"rows to train the first fold on, and it needs at least 1: {numberOfFolds * testRows + gap + 1} rows in all. " +
                "Use fewer folds, a smaller gap or smaller test blocks.", nameof(data));
        }

        var folds = new TimeSeriesFold[numberOfFolds];
        for (int k = 0; k < numberOfFolds; k++)
        {
            long testStart = rows - (numberOfFolds - k) * testRows;
            folds[k] = new TimeSeriesFold(k, data, testStart - gap, gap, testRows);
        }

        return folds;
    }

    /// <summary>The row count, counted with a cursor when the view does not know it (windows, filters).</summary>
    private static long CountRows(IDataView data)
    {
        if (data.GetRowCount() is long known)
            return known;
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
            rows++;
        return rows;
    }
}
