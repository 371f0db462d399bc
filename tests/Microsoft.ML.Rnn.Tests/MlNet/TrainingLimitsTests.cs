using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Limits of training found by an adversarial reliability report (issue 13): an unbounded epoch count, the step
/// limit, out-of-range keys, the memory <c>Fit</c> takes to read the rows, and initial parameters changed after the
/// trainer was created.</summary>
[TestClass]
public sealed class TrainingLimitsTests
{
    private sealed class KeyVectorRow
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
        [KeyType(3), VectorType(TestData.Steps)] public uint[] Label { get; set; } = [];
    }

    private sealed class WideRow
    {
        [VectorType(WideLength)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private const int WideLength = 1024;

    [TestMethod]
    public void UnboundedMaxEpochsWithEarlyStoppingFinishesWithAShortHistory()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(epochs: int.MaxValue);
        // A step too small to change any weight: the loss never falls, so patience 1 stops after epoch 2.
        options.LearningRate = 1e-30f;
        options.Shuffle = false;
        options.EarlyStoppingPatience = 1;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8));
        CollectionAssert.AreEqual(new[] { 1, 2 }, model.TrainingHistory.Select(r => r.Epoch).ToArray());
    }

    [TestMethod]
    public void TooManyStepsFailWhileReadingNamingColumnRowAndLimit()
    {
        var ml = new MLContext(1);
        int steps = RnnNetworkShape.MaxDimension + 1;
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableRow { Features = new float[8], Label = 1 },
            new TestData.VariableRow { Features = new float[steps], Label = 1 },
        });
        RnnTrainer.Options options = TestData.Options();
        options.InputSize = 1;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "training row 1");
        StringAssert.Contains(e.Message, $"{steps} steps");
        StringAssert.Contains(e.Message, $"at most {RnnNetworkShape.MaxDimension}");
        StringAssert.Contains(e.Message, "shorter windows");
    }

    [TestMethod]
    public void KeyVectorLabelAboveTheKeyCountFailsWhileReading()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(KeyVectorRows(6, badRow: 4, badKey: 9));
        RnnTrainer.Options options = TestData.Options(head: RnnHead.ManyToMany);
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Rnn(options).Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "training row 4");
        StringAssert.Contains(e.Message, "key 9");
        StringAssert.Contains(e.Message, "1 to 3");
    }

    [TestMethod]
    public void KeyVectorLabelAboveTheKeyCountInTheValidationSetFailsBeforeTraining()
    {
        var ml = new MLContext(1);
        var epochs = new List<RnnEpochReport>();
        RnnTrainer.Options options = TestData.Options(head: RnnHead.ManyToMany);
        options.ValidationSet = ml.Data.LoadFromEnumerable(KeyVectorRows(4, badRow: 2, badKey: 4));
        options.OnEpochEnd = epochs.Add;
        var e = Assert.Throws<InvalidOperationException>(() =>
            ml.MulticlassClassification.Trainers.Rnn(options).Fit(ml.Data.LoadFromEnumerable(KeyVectorRows(6, badRow: -1, badKey: 0))));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "validation row 2");
        StringAssert.Contains(e.Message, "key 4");
        Assert.IsEmpty(epochs);
    }

    [TestMethod]
    public void ScalarKeyLabelAboveTheKeyCountFailsWhileReading()
    {
        var ml = new MLContext(1);
        IDataView data = new RawKeyLabelDataView(TestData.Sequences(5, 7), [1, 2, 3, 5, 1], keyCount: 3);
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Rnn(TestData.Options()).Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "training row 3");
        StringAssert.Contains(e.Message, "key 5");
    }

    [TestMethod]
    public void ReadingRowsOfAKnownCountAllocatesLittleMoreThanTheFeatures() => AssertReadingAllocatesLittle(knownCount: true);

    [TestMethod]
    public void ReadingRowsOfAnUnknownCountAllocatesLittleMoreThanTheFeatures() => AssertReadingAllocatesLittle(knownCount: false);

    [TestMethod]
    public void InitialParametersChangedAfterCreatingTheTrainerDoNotChangeTraining()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        RnnTrainer.Options untrained = TestData.Options(epochs: 0);
        untrained.Seed = 11;
        IReadOnlyDictionary<string, float[]> start = ml.Regression.Trainers.Rnn(untrained).Fit(data).Network.ExportParameters();

        RnnTrainer.Options options = TestData.Options(epochs: 2);
        options.InitialParameters = start.ToDictionary(p => p.Key, p => p.Value.ToArray());
        IReadOnlyDictionary<string, float[]> expected = ml.Regression.Trainers.Rnn(options).Fit(data).Network.ExportParameters();

        var callers = start.ToDictionary(p => p.Key, p => p.Value.ToArray());
        options.InitialParameters = callers;
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);
        foreach (float[] values in callers.Values)
            Array.Fill(values, float.NaN);
        IReadOnlyDictionary<string, float[]> actual = trainer.Fit(data).Network.ExportParameters();

        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach ((string name, float[] values) in expected)
            CollectionAssert.AreEqual(values, actual[name], name);
    }

    /// <summary><c>Fit</c> with no epochs is the read of the rows; it should allocate the features about once, not
    /// grow and copy them. (Before the fix it allocated about 3× their size.)</summary>
    private static void AssertReadingAllocatesLittle(bool knownCount)
    {
        const int rows = 4096;
        var ml = new MLContext(1);
        var random = new Random(5);
        WideRow[] source = Enumerable.Range(0, rows)
            .Select(_ => new WideRow { Features = Enumerable.Range(0, WideLength).Select(_ => (float)random.NextDouble()).ToArray(), Label = 1 })
            .ToArray();
        IDataView data = knownCount ? ml.Data.LoadFromEnumerable(source) : ml.Data.LoadFromEnumerable(Stream(source));
        Assert.AreEqual(knownCount, data.GetRowCount() is not null, "the premise: whether the view knows its row count");

        RnnTrainer.Options options = TestData.Options(epochs: 0);
        options.InputSize = 4;
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);
        trainer.Fit(ml.Data.LoadFromEnumerable(source.Take(64).ToArray()));

        long before = GC.GetAllocatedBytesForCurrentThread();
        trainer.Fit(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long featureBytes = (long)rows * WideLength * sizeof(float);
        Assert.IsLessThan(featureBytes * 1.6, (double)allocated, $"allocated {allocated:N0} bytes for {featureBytes:N0} bytes of features");
    }

    private static IEnumerable<T> Stream<T>(IEnumerable<T> items)
    {
        foreach (T item in items)
            yield return item;
    }

    /// <summary>Rows whose per-step labels are keys 1 to 3, except <paramref name="badKey"/> at step 1 of row
    /// <paramref name="badRow"/>.</summary>
    private static KeyVectorRow[] KeyVectorRows(int count, int badRow, uint badKey) =>
        TestData.Sequences(count, 7).Select((s, i) => new KeyVectorRow
        {
            Features = s,
            Label = Enumerable.Range(0, TestData.Steps).Select(t => i == badRow && t == 1 ? badKey : 1u + (uint)((i + t) % 3)).ToArray(),
        }).ToArray();
}
