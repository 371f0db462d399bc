using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.Evaluation;

/// <summary>
/// Walk-forward evaluation never trains on the future: every fold's model saw only rows before its test block (less the
/// gap), the test blocks are consecutive and end at the last row, and each fold's metrics are what scoring its model on its
/// block by hand gives.
/// </summary>
[TestClass]
public sealed class WalkForwardTests
{
    private const int SeriesRows = 60;
    private const int WindowLength = 5;
    private const int Windows = SeriesRows - WindowLength;

    private sealed class SeriesRow
    {
        public float Time { get; set; }
        public float Value { get; set; }
    }

    /// <summary>Fits its inner estimator and records the <c>Time</c> of every row it was fitted on.</summary>
    private sealed class RecordingEstimator(IEstimator<ITransformer> inner) : IEstimator<ITransformer>
    {
        public List<float[]> FittedTimes { get; } = [];

        public ITransformer Fit(IDataView input)
        {
            FittedTimes.Add(input.GetColumn<float>("Time").ToArray());
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    /// <summary>Windows over a series, each carrying the time of its label row; the row count is unknown until a pass.</summary>
    private static SequenceWindowDataView WindowsWithTime(MLContext ml)
    {
        IDataView series = ml.Data.LoadFromEnumerable(Enumerable.Range(0, SeriesRows)
            .Select(t => new SeriesRow { Time = t, Value = MathF.Sin(t * 0.3f) }));
        return ml.Data.CreateSequenceWindows(series, new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = WindowLength,
            PassThroughColumns = ["Time"],
        });
    }

    private static RecordingEstimator Probe(MLContext ml) => new(ml.Regression.Trainers.Rnn(new RnnTrainer.Options
    {
        HiddenSize = 3,
        MaxEpochs = 2,
        BatchSize = 8,
        Seed = 1,
        NumberOfThreads = 1,
    }));

    /// <summary>The <c>Time</c> of every scored row, read together with <c>Score</c> (the RNN's scorer reads the features
    /// even when none of its outputs is asked for, so reading the time alone from a window view fails).</summary>
    private static float[] TimesOfScoredRows(IDataView scored)
    {
        var times = new List<float>();
        using var cursor = scored.GetRowCursor([scored.Schema["Time"], scored.Schema["Score"]]);
        var getTime = cursor.GetGetter<float>(scored.Schema["Time"]);
        float time = 0;
        while (cursor.MoveNext())
        {
            getTime(ref time);
            times.Add(time);
        }

        return times.ToArray();
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(3)]
    public void EveryFoldTrainsOnlyOnRowsBeforeItsTestBlock(int gap)
    {
        var ml = new MLContext(1);
        SequenceWindowDataView windows = WindowsWithTime(ml);
        RecordingEstimator probe = Probe(ml);
        const int folds = 4;

        var results = ml.Regression.CrossValidateTimeSeries(windows, probe, numberOfFolds: folds, gap: gap);

        Assert.HasCount(folds, results);
        Assert.HasCount(folds, probe.FittedTimes);
        const int testRows = Windows / (folds + 1);
        for (int k = 0; k < folds; k++)
        {
            TimeSeriesFoldResult<RegressionMetrics> result = results[k];
            Assert.AreEqual(k, result.Fold);
            float[] trained = probe.FittedTimes[k];
            float[] tested = TimesOfScoredRows(result.ScoredHoldOutSet);

            // A window's label row is its index + WindowLength (horizon 1), so times are row numbers shifted by a constant.
            Assert.IsGreaterThan(0, trained.Length);
            Assert.IsLessThan(tested.Min() - gap, trained.Max(), $"fold {k}: trained up to {trained.Max()}, tests from {tested.Min()}");
            CollectionAssert.AreEqual(Enumerable.Range(0, trained.Length).Select(i => (float)(i + WindowLength)).ToArray(), trained,
                $"fold {k} trains on the first rows, in order");
            Assert.AreEqual(result.Split.TrainRowCount, trained.Length);
            Assert.AreEqual(result.Split.TrainRowCount + gap, result.Split.TestStartRow);

            // Test blocks are consecutive, all the same length, and the last one ends at the last window.
            long expectedStart = Windows - (folds - k) * testRows;
            Assert.AreEqual(expectedStart, result.Split.TestStartRow);
            Assert.AreEqual(testRows, result.Split.TestRowCount);
            CollectionAssert.AreEqual(Enumerable.Range(0, testRows).Select(i => (float)(expectedStart + i + WindowLength)).ToArray(), tested,
                $"fold {k} is scored on its block, in order");
        }

        Assert.AreEqual(Windows, results[^1].Split.TestStartRow + results[^1].Split.TestRowCount);
    }

    [TestMethod]
    public void FoldMetricsAreThoseOfScoringTheFoldModelOnItsBlockByHand()
    {
        var ml = new MLContext(1);
        SequenceWindowDataView windows = WindowsWithTime(ml);

        var results = ml.Regression.CrossValidateTimeSeries(windows, Probe(ml), numberOfFolds: 3, gap: 1, testRowCount: 10);

        foreach (var result in results)
        {
            // ML.NET's own row filters, independent of the split's row-range view.
            IDataView block = ml.Data.SkipRows(ml.Data.TakeRows(windows, result.Split.TestStartRow + result.Split.TestRowCount),
                result.Split.TestStartRow);
            RegressionMetrics byHand = ml.Regression.Evaluate(result.Model.Transform(block));
            Assert.AreEqual(byHand.RootMeanSquaredError, result.Metrics.RootMeanSquaredError, 0.0);
            Assert.AreEqual(byHand.MeanAbsoluteError, result.Metrics.MeanAbsoluteError, 0.0);
            Assert.AreEqual(byHand.RSquared, result.Metrics.RSquared, 0.0);
            Assert.IsTrue(double.IsFinite(result.Metrics.RootMeanSquaredError));
        }
    }

    [TestMethod]
    public void SplitOnDataOperationsGivesTheSameRangesAsViews()
    {
        var ml = new MLContext(1);
        IDataView rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 23).Select(t => new SeriesRow { Time = t }));

        var folds = ml.Data.TimeSeriesSplit(rows, numberOfFolds: 2, gap: 2, testRowCount: 5);

        Assert.HasCount(2, folds);
        CollectionAssert.AreEqual(Enumerable.Range(0, 11).Select(t => (float)t).ToArray(), folds[0].TrainSet.GetColumn<float>("Time").ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(13, 5).Select(t => (float)t).ToArray(), folds[0].TestSet.GetColumn<float>("Time").ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(0, 16).Select(t => (float)t).ToArray(), folds[1].TrainSet.GetColumn<float>("Time").ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(18, 5).Select(t => (float)t).ToArray(), folds[1].TestSet.GetColumn<float>("Time").ToArray());
        Assert.AreEqual(16L, folds[1].TrainSet.GetRowCount());
        Assert.AreEqual(5L, folds[1].TestSet.GetRowCount());
    }

    [TestMethod]
    public void ArgumentsAreChecked()
    {
        var ml = new MLContext(1);
        IDataView rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(t => new SeriesRow { Time = t }));

        Assert.AreEqual("numberOfFolds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.TimeSeriesSplit(rows, numberOfFolds: 0)).ParamName);
        Assert.AreEqual("gap", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.TimeSeriesSplit(rows, gap: -1)).ParamName);
        Assert.AreEqual("testRowCount", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.TimeSeriesSplit(rows, testRowCount: 0)).ParamName);
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Regression.CrossValidateTimeSeries(rows, null!));

        // 3 blocks of 3 rows and a gap of 1 leave nothing to train the first fold on.
        var tooShort = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.TimeSeriesSplit(rows, numberOfFolds: 3, gap: 1, testRowCount: 3));
        StringAssert.Contains(tooShort.Message, "The data has 10 rows; 3 test blocks of 3 rows and a gap of 1 rows leave 0 rows");
        StringAssert.Contains(tooShort.Message, "11 rows in all");

        // More folds than rows: the default test blocks would be empty.
        var tooFew = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.TimeSeriesSplit(rows, numberOfFolds: 10));
        StringAssert.Contains(tooFew.Message, "The data has 10 rows");

        // The smallest split that fits: one training row.
        Assert.AreEqual(1L, ml.Data.TimeSeriesSplit(rows, numberOfFolds: 3, gap: 0, testRowCount: 3)[0].TrainRowCount);
    }
}
