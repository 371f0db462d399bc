using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// <see cref="RnnTrainer.Options.StandardizeLabel"/>: a label in the thousands trains as well as a unit-scale one, scores and
/// losses come back in the label's units, the statistics survive a save and load, and turning it off (or giving
/// <see cref="RnnTrainer.Options.InitialParameters"/>) trains exactly as before.
/// </summary>
[TestClass]
public sealed class LabelStandardizationTests
{
    private const int Steps = 6;

    /// <summary>Unit-scale features and a price-like label: 1000 + 25 × the sum of the first feature over the steps (σ ≈ 35).</summary>
    private static IDataView Prices(MLContext ml, int rows, int seed) =>
        ml.Data.LoadFromEnumerable(TestData.Sequences(rows, seed, Steps * TestData.InputSize)
            .Select(s => new PriceRow { Features = s, Label = 1000 + 25 * TestData.RunningSums(s)[^1] }));

    private static RnnTrainer.Options PriceOptions(bool? standardize, IDataView? validation = null) => new()
    {
        InputSize = TestData.InputSize,
        HiddenSize = 8,
        BatchSize = 16,
        MaxEpochs = 30,
        LearningRate = 0.01f,
        Seed = 5,
        NumberOfThreads = 1,
        StandardizeLabel = standardize,
        ValidationSet = validation,
    };

    [TestMethod]
    public void RawScaleLabelTrainsWellOnlyWhenStandardised()
    {
        var ml = new MLContext(1);
        IDataView train = Prices(ml, rows: 256, seed: 11), test = Prices(ml, rows: 128, seed: 12);

        RnnTransformer raw = ml.Regression.Trainers.Rnn(PriceOptions(standardize: false)).Fit(train);
        RnnTransformer standardised = ml.Regression.Trainers.Rnn(PriceOptions(standardize: null, validation: test)).Fit(train);

        RegressionMetrics rawMetrics = ml.Regression.Evaluate(raw.Transform(test));
        IDataView scored = standardised.Transform(test);
        RegressionMetrics metrics = ml.Regression.Evaluate(scored);
        Console.WriteLine($"R² on held-out rows: {metrics.RSquared:F4} standardised, {rawMetrics.RSquared:F1} raw");
        Assert.IsGreaterThan(0.5, metrics.RSquared, $"standardised R² {metrics.RSquared}");
        Assert.IsLessThan(-10.0, rawMetrics.RSquared, $"raw R² {rawMetrics.RSquared}: the trap this option removes");
        Assert.IsNotNull(standardised.Model.LabelStandardization);
        Assert.IsTrue(standardised.Options.StandardizeLabel);

        // Scores are in the label's units.
        float[] labels = scored.GetColumn<float>("Label").ToArray(), scores = scored.GetColumn<float>("Score").ToArray();
        double sigma = Math.Sqrt(labels.Select(l => (l - labels.Average()) * (l - labels.Average())).Average());
        Assert.AreEqual(labels.Average(), scores.Average(), 0.2 * sigma);

        // So are the losses: the last validation loss, computed on standardised targets with the final parameters, is
        // the mean squared error of the scores.
        float validationLoss = standardised.TrainingHistory[^1].ValidationLoss!.Value;
        Assert.AreEqual(metrics.MeanSquaredError, validationLoss, 1e-3 * metrics.MeanSquaredError);
    }

    [TestMethod]
    public void SaveAndLoadScoreInTheLabelsUnitsBitForBit()
    {
        var ml = new MLContext(1);
        IDataView train = Prices(ml, rows: 64, seed: 13);
        RnnTransformer model = ml.Regression.Trainers.Rnn(PriceOptions(standardize: true)).Fit(train);
        List<string> before = TestData.OutputBits(model.Transform(train));

        string path = TestData.TempPath();
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = (RnnTransformer)new MLContext(2).Model.Load(path, out _);
            CollectionAssert.AreEqual(before, TestData.OutputBits(loaded.Transform(train)));
            CollectionAssert.AreEqual(model.Model.LabelStandardization!.Mean, loaded.Model.LabelStandardization!.Mean);
            CollectionAssert.AreEqual(model.Model.LabelStandardization.StandardDeviation, loaded.Model.LabelStandardization.StandardDeviation);
            Assert.IsTrue(loaded.Options.StandardizeLabel);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void InitialParametersTrainOnTheRawLabelByDefault()
    {
        var ml = new MLContext(1);
        IDataView train = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        var shape = new RnnNetworkShape(RnnCellType.Lstm, TestData.InputSize, HiddenSize: 5, OutputSize: 1);
        IReadOnlyDictionary<string, float[]> initial = new RnnNetwork(shape, seed: 8).ExportParameters();

        RnnTransformer Train(bool? standardize)
        {
            RnnTrainer.Options options = TestData.Options();
            options.InitialParameters = initial;
            options.StandardizeLabel = standardize;
            return ml.Regression.Trainers.Rnn(options).Fit(train);
        }

        RnnTransformer byDefault = Train(null), off = Train(false), on = Train(true);
        Assert.IsNull(byDefault.Model.LabelStandardization);
        Assert.IsFalse(byDefault.Options.StandardizeLabel);
        CollectionAssert.AreEqual(off.TrainingHistory.Select(e => e.TrainLoss).ToArray(), byDefault.TrainingHistory.Select(e => e.TrainLoss).ToArray());
        CollectionAssert.AreEqual(TestData.OutputBits(off.Transform(train)), TestData.OutputBits(byDefault.Transform(train)));
        Assert.IsNotNull(on.Model.LabelStandardization);
        CollectionAssert.AreNotEqual(TestData.OutputBits(off.Transform(train)), TestData.OutputBits(on.Transform(train)));
    }

    /// <summary>
    /// With standardisation off, training is what it was before the option existed: the regression models of
    /// tests/fixtures/models/Generator, trained again, score exactly as the frozen 0x00010001 files recorded.
    /// </summary>
    [TestMethod]
    public void TurnedOffTrainsExactlyAsTheFirstReleaseDid()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "0x00010001", "expected-scores.json")));

        // The generator's draws, in its order: A (64 × 12), B (64 × 12), C (90 × 16), D (64 variable rows).
        var random = new Random(20261203);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var a = Enumerable.Range(0, 64).Select(_ => { float[] f = Values(12); return new Window12 { Features = f, Label = f.Sum() / 4 }; }).ToList();
        Values(64 * 12 + 90 * 16);
        var d = Enumerable.Range(0, 64).Select(i =>
        {
            float[] f = Values(3 + i % 5);
            return new TestData.VariableVectorRow { Features = f, Label = f.SelectMany(x => new[] { x / 2, -x }).ToArray() };
        }).ToList();

        var mlA = new MLContext(seed: 1);
        RnnTransformer modelA = mlA.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            Cell = RnnCellType.Lstm, HiddenSize = 6, MaxEpochs = 3, BatchSize = 16, NumberOfThreads = 1, StandardizeLabel = false,
        }).Fit(mlA.Data.LoadFromEnumerable(a));
        string[] scoresA = modelA.Transform(mlA.Data.LoadFromEnumerable(a.Take(5))).GetColumn<float>("Score").Select(Bits).ToArray();
        CollectionAssert.AreEqual(Strings(expected.RootElement.GetProperty("lstm-regression-many-to-one").GetProperty("Score")), scoresA);

        var mlD = new MLContext(seed: 4);
        RnnTransformer modelD = mlD.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            Cell = RnnCellType.Lstm, HiddenSize = 4, Head = RnnHead.ManyToMany, MaxEpochs = 3, BatchSize = 16, NumberOfThreads = 1, StandardizeLabel = false,
        }).Fit(mlD.Data.LoadFromEnumerable(d));
        string[] scoresD = modelD.Transform(mlD.Data.LoadFromEnumerable(d.Take(5))).GetColumn<float[]>("Score")
            .Select(v => string.Join(",", v.Select(Bits))).ToArray();
        string[] expectedD = expected.RootElement.GetProperty("lstm-regression-variable-many-to-many").GetProperty("Score").EnumerateArray()
            .Select(v => string.Join(",", Strings(v))).ToArray();
        CollectionAssert.AreEqual(expectedD, scoresD);
    }

    [TestMethod]
    public void SeveralOutputsHaveTheirOwnStatisticsSharedAcrossSteps()
    {
        // N vs N, two outputs per step: (x, 1000 x + 5000) for each step's first feature x.
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(TestData.Sequences(32, 3).Select(s => new MultiOutputRow
        {
            Features = s,
            Label = Enumerable.Range(0, TestData.Steps).SelectMany(t => new[] { s[t * TestData.InputSize], 1000 * s[t * TestData.InputSize] + 5000 }).ToArray(),
        }));
        RnnTrainer.Options options = TestData.Options(head: RnnHead.ManyToMany, epochs: 1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        RnnLabelStandardization labels = model.Model.LabelStandardization!;
        Assert.AreEqual(2, labels.Outputs);
        Assert.AreEqual(1000 * labels.Mean[0] + 5000, labels.Mean[1], 1e-2f);
        Assert.AreEqual(1000 * labels.StandardDeviation[0], labels.StandardDeviation[1], 1e-2f);
        Assert.IsNull(labels.LossToLabelUnits, "several outputs: the losses stay on the standardised label");
    }

    [TestMethod]
    public void ConstantLabelDividesByOne()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(TestData.Sequences(16, 4).Select(s => new TestData.RegressionRow { Features = s, Label = 42 }));
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options()).Fit(data);
        Assert.AreEqual(42f, model.Model.LabelStandardization!.Mean[0]);
        Assert.AreEqual(1f, model.Model.LabelStandardization.StandardDeviation[0]);
        Assert.IsTrue(model.TrainingHistory.All(e => float.IsFinite(e.TrainLoss)));
        Assert.IsTrue(model.Transform(data).GetColumn<float>("Score").All(float.IsFinite));
    }

    [TestMethod]
    public void ClassificationRefusesTrueAndIgnoresTheDefault()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne);
        RnnTrainer.Options options = TestData.Options(epochs: 1);
        options.StandardizeLabel = true;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Rnn(options).Fit(data));
        Assert.AreEqual(nameof(RnnTrainer.Options.StandardizeLabel), e.ParamName);

        RnnTransformer model = ml.BinaryClassification.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        Assert.IsNull(model.Model.LabelStandardization);
        Assert.IsFalse(model.Options.StandardizeLabel);
    }

    [TestMethod]
    public void FeaturesFarFromUnitScaleAreNamedInAWarning()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        // Per step: a price around 1000 and a volume around a million.
        var random = new Random(6);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(_ => new TestData.RegressionRow
        {
            Features = Enumerable.Range(0, TestData.Length).Select(i => (float)(i % 2 == 0 ? 1000 + random.NextDouble() : 1e6 * (1 + random.NextDouble()))).ToArray(),
            Label = 1,
        }));
        ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);

        string[] warnings = messages.Where(m => m.Contains("far from unit scale")).ToArray();
        Assert.HasCount(2, warnings, string.Join("\n", warnings));
        StringAssert.Contains(warnings[0], "Feature 0 (0-based, of 2 per step) of column 'Features'");
        StringAssert.Contains(warnings[1], "Feature 1 (0-based, of 2 per step) of column 'Features'");
        StringAssert.Contains(warnings[1], "NormalizeMeanVariance");
        StringAssert.Contains(warnings[1], "RelativeToLast");

        messages.Clear();
        ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        Assert.IsFalse(messages.Any(m => m.Contains("far from unit scale")), "unit-scale features need no warning");
    }

    [TestMethod]
    public void TheScaleWarningReportsEachFeaturesMeanAbsoluteValueAndPopulationDeviation()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        // Feature 0 takes 1000 and 1002 in turn (mean |x| 1001, population deviation 1); feature 1 takes 0.001 and 0.003
        // (mean |x| 0.002, deviation 0.001): both far from unit scale, by the arithmetic of two values.
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(row => new TestData.RegressionRow
        {
            Features = Enumerable.Range(0, TestData.Length).Select(i => (i / 2 + row) % 2 == 0 ? (i % 2 == 0 ? 1000f : 0.001f) : (i % 2 == 0 ? 1002f : 0.003f)).ToArray(),
            Label = 1,
        }));
        ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);

        string[] warnings = messages.Where(m => m.Contains("far from unit scale")).ToArray();
        Assert.HasCount(2, warnings, string.Join("\n", warnings));
        StringAssert.Contains(warnings[0], "mean absolute value of 1001 and a standard deviation of 1 ");
        StringAssert.Contains(warnings[1], "mean absolute value of 0.002 and a standard deviation of 0.001 ");
    }

    private static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("X8");

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private sealed class PriceRow
    {
        [VectorType(Steps * TestData.InputSize)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class Window12
    {
        [VectorType(12)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class MultiOutputRow
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
        [VectorType(TestData.Steps * 2)] public float[] Label { get; set; } = [];
    }
}
