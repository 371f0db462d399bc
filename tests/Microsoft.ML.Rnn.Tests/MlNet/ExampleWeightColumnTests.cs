using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// <see cref="RnnTrainer.Options.ExampleWeightColumnName"/>: zero-weight rows train as if absent, bad weights are
/// skipped and counted like other bad rows, and the column is checked like the others.
/// </summary>
[TestClass]
public sealed class ExampleWeightColumnTests
{
    public sealed class WeightedRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; }
    }

    [TestMethod]
    public void ZeroWeightRowsTrainAsIfTheyWereNotThere()
    {
        var ml = new MLContext(1);
        float[][] sequences = TestData.Sequences(12, 4);
        var rows = sequences.Select((s, i) => new WeightedRow { Features = s, Label = s.Sum(), Weight = i % 3 == 0 ? 0f : 1f }).ToList();
        // One batch, in order, with the raw label: the only difference between the two trainings is the zero-weight rows.
        RnnTrainer.Options Options(string? weights) => Configure(TestData.Options(epochs: 3), o =>
        {
            o.BatchSize = 32;
            o.Shuffle = false;
            o.StandardizeLabel = false;
            o.ExampleWeightColumnName = weights;
        });

        RnnTransformer weighted = ml.Regression.Trainers.Rnn(Options(nameof(WeightedRow.Weight))).Fit(ml.Data.LoadFromEnumerable(rows));
        RnnTransformer kept = ml.Regression.Trainers.Rnn(Options(null)).Fit(ml.Data.LoadFromEnumerable(rows.Where(r => r.Weight > 0)));

        for (int e = 0; e < 3; e++)
            Assert.AreEqual(kept.TrainingHistory[e].TrainLoss, weighted.TrainingHistory[e].TrainLoss, 1e-5f * kept.TrainingHistory[e].TrainLoss, $"epoch {e + 1}");
        float[] expected = Scores(ml, kept, rows), actual = Scores(ml, weighted, rows);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4f, $"score {i}");
    }

    [TestMethod]
    public void BadWeightsAreSkippedAndCounted()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = TestData.Sequences(6, 1).Select(s => new WeightedRow { Features = s, Label = s[0], Weight = 1f }).ToList();
        rows[0].Weight = float.NaN;
        rows[1].Weight = -1f;
        rows[2].Weight = float.PositiveInfinity;
        rows[3].Weight = 0f;

        var options = Configure(TestData.Options(epochs: 1), o => o.ExampleWeightColumnName = nameof(WeightedRow.Weight));
        ml.Regression.Trainers.Rnn(options).Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.IsTrue(messages.Any(m => m.Contains("Skipped 3 of 6 training rows") && m.Contains("3 with a NaN, negative or infinite example weight")),
            string.Join("\n", messages.Where(m => m.Contains("Skipped"))));
    }

    [TestMethod]
    public void AllZeroWeightsAreRefused()
    {
        var ml = new MLContext(1);
        var rows = TestData.Sequences(4, 1).Select(s => new WeightedRow { Features = s, Label = s[0] }).ToList();
        var options = Configure(TestData.Options(epochs: 1), o => o.ExampleWeightColumnName = nameof(WeightedRow.Weight));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "example weight of 0");
    }

    [TestMethod]
    public void AMissingOrMistypedWeightColumnIsNamed()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(TestData.Sequences(4, 1).Select(s => new WeightedRow { Features = s, Label = s[0], Weight = 1 }));

        var missing = Configure(TestData.Options(), o => o.ExampleWeightColumnName = "NoSuchColumn");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(missing).Fit(data)).Message,
            "Example weight column 'NoSuchColumn': found no such column");
        var vector = Configure(TestData.Options(), o => o.ExampleWeightColumnName = nameof(WeightedRow.Features));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(vector).Fit(data)).Message,
            "Example weight column 'Features': found type");
    }

    private static RnnTrainer.Options Configure(RnnTrainer.Options options, Action<RnnTrainer.Options> change)
    {
        change(options);
        return options;
    }

    private static float[] Scores(MLContext ml, ITransformer model, IEnumerable<WeightedRow> rows) =>
        model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
}
