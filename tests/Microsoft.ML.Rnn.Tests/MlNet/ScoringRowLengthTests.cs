using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// Scoring and the length of a row's sequence: a row longer than the core's step limit scores NaN (and is counted) without
/// stopping the pass; a row whose vector length differs from its column's declared size is refused, naming the column.
/// </summary>
[TestClass]
public sealed class ScoringRowLengthTests
{
    /// <summary>One step more than the core accepts.</summary>
    private const int TooManySteps = RnnNetworkShape.MaxDimension + 1;

    private sealed class BinaryVariableRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class ClassVariableRow
    {
        public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class DeclaredInput
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
    }

    private sealed class ShorterDeclaredInput
    {
        [VectorType(TestData.Length - TestData.InputSize)] public float[] Features { get; set; } = [];
    }

    private sealed class VariableInput
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreOutput
    {
        public float Score { get; set; }
    }

    private static float[] OverLong() => TestData.Sequences(1, 5, length: TooManySteps * TestData.InputSize)[0];

    [TestMethod]
    public void OverLongRowScoresNaNAndTheRestOfThePassGoesOn()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        float[][] x = TestData.Sequences(3, 2);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(x.Select(s => new TestData.VariableRow { Features = s, Label = s[0] })));
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableRow { Features = x[0], Label = 1 },
            new TestData.VariableRow { Features = OverLong(), Label = 1 },
            new TestData.VariableRow { Features = x[1], Label = 1 },
        });

        IDataView scored = model.Transform(data);
        float[] scores = scored.GetColumn<float>("Score").ToArray();

        Assert.IsTrue(float.IsFinite(scores[0]));
        Assert.IsTrue(float.IsNaN(scores[1]), $"the over-long row scores {scores[1]}");
        Assert.IsTrue(float.IsFinite(scores[2]));
        // Each cursor logs its own count when disposed, and ML.NET may score the rows on several cursors.
        string[] logged = messages.Where(m => m.Contains("RNN scoring:", StringComparison.Ordinal)).ToArray();
        var tooLong = logged.Select(m => Regex.Match(m, $@"(\d+) longer than {RnnNetworkShape.MaxDimension} steps")).ToArray();
        Assert.IsTrue(tooLong.All(m => m.Success), string.Join("\n", logged));
        Assert.AreEqual(1, tooLong.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), string.Join("\n", logged));
        // An evaluation pass (cursor sets on worker threads) does not stop either.
        _ = ml.Regression.Evaluate(scored);
    }

    [TestMethod]
    public void OverLongRowPredictsFalseOrTheMissingKey()
    {
        var ml = new MLContext(1);
        float[][] x = TestData.Sequences(6, 3);
        ITransformer binary = ml.BinaryClassification.Trainers.Rnn(TestData.Options(epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(x.Select((s, i) => new BinaryVariableRow { Features = s, Label = i % 2 == 0 })));
        IDataView binaryRows = ml.Data.LoadFromEnumerable(new[]
        {
            new BinaryVariableRow { Features = OverLong(), Label = true },
            new BinaryVariableRow { Features = x[0], Label = false },
            new BinaryVariableRow { Features = x[1], Label = true }, // the evaluator skips NaN scores and needs both classes
        });
        IDataView binaryScored = binary.Transform(binaryRows);
        Assert.IsTrue(float.IsNaN(binaryScored.GetColumn<float>("Score").First()));
        Assert.IsTrue(float.IsNaN(binaryScored.GetColumn<float>("Probability").First()));
        Assert.IsFalse(binaryScored.GetColumn<bool>("PredictedLabel").First());
        _ = ml.BinaryClassification.Evaluate(binaryScored);

        ITransformer multiclass = TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options(epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(x.Select((s, i) => new ClassVariableRow { Features = s, Label = TestData.Classes[i % 3] })));
        IDataView classRows = ml.Data.LoadFromEnumerable(new[]
        {
            new ClassVariableRow { Features = OverLong(), Label = "low" },
            new ClassVariableRow { Features = x[0], Label = "mid" },
        });
        IDataView classScored = multiclass.Transform(classRows);
        Assert.IsTrue(classScored.GetColumn<float[]>("Score").First().All(float.IsNaN));
        uint[] keys = classScored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.AreEqual(0u, keys[0], "the missing key for the over-long row");
        Assert.IsTrue(keys[1] is >= 1 and <= 3, $"a class for the other row, not {keys[1]}");
        _ = ml.MulticlassClassification.Evaluate(classScored);
    }

    [TestMethod]
    public void PredictionEngineRefusesARowLongerOrShorterThanItsDeclaredSize()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<DeclaredInput, ScoreOutput>(model);
        float[] sequence = TestData.Sequences(1, 4)[0];
        Assert.IsTrue(float.IsFinite(engine.Predict(new DeclaredInput { Features = sequence }).Score));

        foreach (int length in new[] { TestData.Length - 1, TestData.Length + 1, TestData.Length - TestData.InputSize })
        {
            float[] wrong = TestData.Sequences(1, 4, length)[0];
            Exception error = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(new DeclaredInput { Features = wrong }));
            Assert.Contains($"column 'Features' is declared with {TestData.Length} values but this row holds {length}", error.Message);
        }
    }

    [TestMethod]
    public void AnotherDeclaredSizeOrVariableLengthStillScores()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        float[] shorter = TestData.Sequences(1, 4, TestData.Length - TestData.InputSize)[0];

        float declared = ml.Model.CreatePredictionEngine<ShorterDeclaredInput, ScoreOutput>(model).Predict(new ShorterDeclaredInput { Features = shorter }).Score;
        float variable = ml.Model.CreatePredictionEngine<VariableInput, ScoreOutput>(model).Predict(new VariableInput { Features = shorter }).Score;

        Assert.IsTrue(float.IsFinite(declared));
        Assert.AreEqual(declared, variable);
    }
}
