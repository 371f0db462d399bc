namespace Microsoft.ML.Rnn;

/// <summary>
/// One fold of a walk-forward (rolling-origin) split of data in time order: the model trains on rows
/// <c>[0, TrainRowCount)</c> and is scored on rows <c>[TestStartRow, TestStartRow + TestRowCount)</c>, which lie
/// <see cref="Gap"/> rows after the last training row. Row numbers count rows of the split data, in its order.
/// </summary>
public sealed class TimeSeriesFold
{
    internal TimeSeriesFold(int index, IDataView data, long trainRowCount, long gap, long testRowCount)
    {
        Index = index;
        TrainRowCount = trainRowCount;
        Gap = gap;
        TestStartRow = trainRowCount + gap;
        TestRowCount = testRowCount;
        TrainSet = new RowRangeDataView(data, 0, trainRowCount);
        TestSet = new RowRangeDataView(data, TestStartRow, testRowCount);
    }

    /// <summary>The fold's number, from 0 (the earliest test block, the least training data).</summary>
    public int Index { get; }

    /// <summary>The training rows: the first <see cref="TrainRowCount"/> rows, in order.</summary>
    public IDataView TrainSet { get; }

    /// <summary>The test rows: <see cref="TestRowCount"/> rows from <see cref="TestStartRow"/>, in order.</summary>
    public IDataView TestSet { get; }

    /// <summary>How many rows the model trains on (rows 0 to <c>TrainRowCount − 1</c>).</summary>
    public long TrainRowCount { get; }

    /// <summary>Rows left out between the last training row and the first test row.</summary>
    public long Gap { get; }

    /// <summary>The first test row: <c>TrainRowCount + Gap</c>.</summary>
    public long TestStartRow { get; }

    /// <summary>How many rows the fold is scored on.</summary>
    public long TestRowCount { get; }
}
