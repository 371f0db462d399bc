using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.ModelFile;

/// <summary>
/// Model files written by earlier releases (tests/fixtures/models, one folder per format version) load with today's
/// code and score exactly as the release that wrote them did: every output bit, from the scores that release recorded.
/// </summary>
[TestClass]
public sealed class EarlierReleaseTests
{
    public static IEnumerable<object[]> Versions() =>
        Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "fixtures", "models"), "0x*")
            .Select(d => new object[] { Path.GetFileName(d) });

    [TestMethod]
    public void EveryFormatVersionHasFiles() => Assert.IsGreaterThanOrEqualTo(1, Versions().Count());

    [TestMethod]
    [DynamicData(nameof(Versions))]
    public void LstmRegressionManyToOne(string version)
    {
        Expected expected = Load(version, "lstm-regression-many-to-one", out ITransformer model, out var ml);
        var rows = expected.Floats("Features").Select(f => new Window12 { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(expected.Bits("Score"), scored.GetColumn<float>("Score").Select(Bits).ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(Versions))]
    public void GruBinaryManyToManyBidirectional(string version)
    {
        Expected expected = Load(version, "gru-binary-many-to-many", out ITransformer model, out var ml);
        var rows = expected.Floats("Features").Select(f => new Window12 { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(expected.BitVectors("Score"), scored.GetColumn<float[]>("Score").Select(v => string.Join(",", v.Select(Bits))).ToArray());
        CollectionAssert.AreEqual(expected.BitVectors("Probability"), scored.GetColumn<float[]>("Probability").Select(v => string.Join(",", v.Select(Bits))).ToArray());
        CollectionAssert.AreEqual(expected.Strings("PredictedLabel"), scored.GetColumn<bool[]>("PredictedLabel").Select(v => string.Join(",", v)).ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(Versions))]
    public void ElmanMulticlassSeriesWithTextKeys(string version)
    {
        Expected expected = Load(version, "rnn-multiclass-series", out ITransformer model, out var ml);
        float[][] open = expected.Floats("Open"), close = expected.Floats("Close");
        string[] direction = expected.Root.GetProperty("Direction").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var rows = open.Select((o, i) => new SeriesRow { Open = o, Close = close[i], Direction = direction[i] }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(expected.BitVectors("Score"), scored.GetColumn<float[]>("Score").Select(v => string.Join(",", v.Select(Bits))).ToArray());
        CollectionAssert.AreEqual(expected.Strings("PredictedLabel"), scored.GetColumn<uint>("PredictedLabel").Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(Versions))]
    public void LstmRegressionVariableLengthManyToMany(string version)
    {
        Expected expected = Load(version, "lstm-regression-variable-many-to-many", out ITransformer model, out var ml);
        var rows = expected.Floats("Features").Select(f => new VariableRow { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(expected.BitVectors("Score"), scored.GetColumn<float[]>("Score").Select(v => string.Join(",", v.Select(Bits))).ToArray());
    }

    /// <summary>The folders from format 0x00010004 on, which add the distribution models.</summary>
    public static IEnumerable<object[]> DistributionVersions() =>
        Versions().Where(v => File.Exists(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", (string)v[0], "gru-regression-studentt-many-to-one.zip")));

    [TestMethod]
    public void DistributionsHaveFixturesFromTheirFirstFormatOn() =>
        CollectionAssert.Contains(DistributionVersions().Select(v => (string)v[0]).ToArray(), "0x00010004");

    [TestMethod]
    [DynamicData(nameof(DistributionVersions))]
    public void GruRegressionStudentTCalibrated(string version)
    {
        Expected expected = Load(version, "gru-regression-studentt-many-to-one", out ITransformer model, out var ml);
        var rnn = (RnnTransformer)model;
        Assert.AreEqual((RnnDistribution.StudentT, 0.9f), (rnn.Options.Distribution, rnn.Options.ConfidenceLevel));
        Assert.AreEqual(expected.Root.GetProperty("CalibrationFactor").GetString(), Bits(rnn.IntervalCalibrationFactor!.Value));
        var rows = expected.Floats("Features").Select(f => new Window12 { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        foreach (string column in new[] { "Score", "StandardDeviation", "LowerBound", "UpperBound" })
            CollectionAssert.AreEqual(expected.Bits(column), scored.GetColumn<float>(column).Select(Bits).ToArray(), column);
    }

    [TestMethod]
    [DynamicData(nameof(DistributionVersions))]
    public void LstmRegressionNormalOneToManyUncalibrated(string version)
    {
        Expected expected = Load(version, "lstm-regression-normal-one-to-many", out ITransformer model, out var ml);
        var rnn = (RnnTransformer)model;
        Assert.AreEqual((RnnDistribution.Normal, 0.95f, (float?)null), (rnn.Options.Distribution, rnn.Options.ConfidenceLevel, rnn.IntervalCalibrationFactor));
        var rows = expected.Floats("Features").Select(f => new Vector3 { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        foreach (string column in new[] { "Score", "StandardDeviation", "LowerBound", "UpperBound" })
            CollectionAssert.AreEqual(expected.BitVectors(column), scored.GetColumn<float[]>(column).Select(v => string.Join(",", v.Select(Bits))).ToArray(), column);
    }

    /// <summary>The folders from format 0x00010003 on, which add the decoder heads' models.</summary>
    public static IEnumerable<object[]> DecoderVersions() =>
        Versions().Where(v => File.Exists(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", (string)v[0], "lstm-regression-one-to-many.zip")));

    [TestMethod]
    public void DecoderHeadsHaveFixturesFromTheirFirstFormatOn() =>
        CollectionAssert.Contains(DecoderVersions().Select(v => (string)v[0]).ToArray(), "0x00010003");

    [TestMethod]
    [DynamicData(nameof(DecoderVersions))]
    public void LstmRegressionOneToMany(string version)
    {
        Expected expected = Load(version, "lstm-regression-one-to-many", out ITransformer model, out var ml);
        var rows = expected.Floats("Features").Select(f => new Vector3 { Features = f }).ToArray();
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(expected.BitVectors("Score"), scored.GetColumn<float[]>("Score").Select(v => string.Join(",", v.Select(Bits))).ToArray());
        Assert.AreEqual(4, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
    }

    [TestMethod]
    [DynamicData(nameof(DecoderVersions))]
    public void GruMulticlassEncoderDecoderWithAttentionAndFeedback(string version)
    {
        Expected expected = Load(version, "gru-multiclass-encoder-decoder-attention", out ITransformer model, out var ml);
        RnnTransformer rnn = ((TransformerChain<ITransformer>)model).OfType<RnnTransformer>().Single();
        Assert.AreEqual((RnnHead.EncoderDecoder, 3, RnnContext.Attention, RnnDecoderInput.InitialStateAndEveryStep, true),
            (rnn.Options.Head, rnn.Options.OutputLength, rnn.Options.Context, rnn.Options.DecoderInput, rnn.Options.FeedPreviousOutput));
        float[][] features = expected.Floats("Features");
        string[][] classes = expected.Root.GetProperty("Classes").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetString()!).ToArray()).ToArray();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(ClassesRow));
        schema["Classes"].ColumnType = new VectorDataViewType(TextDataViewType.Instance, 3);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(features.Select((f, i) => new ClassesRow { Features = f, Classes = classes[i] }), schema));
        CollectionAssert.AreEqual(expected.BitVectors("Score"), scored.GetColumn<float[]>("Score").Select(v => string.Join(",", v.Select(Bits))).ToArray());
        CollectionAssert.AreEqual(expected.Strings("PredictedLabel"), scored.GetColumn<uint[]>("PredictedLabel").Select(v => string.Join(",", v)).ToArray());
    }

    [TestMethod]
    public void FirstFormatStillGivesItsTrainingSettingsAndTimes()
    {
        // Format 0x00010001 stored the training settings and each epoch's seconds; later formats store neither.
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "0x00010001", "lstm-regression-many-to-one.zip"), out _);
        var rnn = model as RnnTransformer ?? ((TransformerChain<ITransformer>)model).OfType<RnnTransformer>().Single();
        Assert.AreEqual(16, rnn.Options.BatchSize);
        Assert.AreEqual(3, rnn.Options.MaxEpochs);
        Assert.AreEqual(1, rnn.Options.NumberOfThreads);
        Assert.HasCount(3, rnn.TrainingHistory);
        Assert.IsTrue(rnn.TrainingHistory.All(e => e.Seconds >= 0 && double.IsFinite(e.Seconds)));
        // It had no learning-rate schedule: every epoch ran at the stored learning rate (the default, 0.001).
        Assert.IsTrue(rnn.TrainingHistory.All(e => e.LearningRate == rnn.Options.LearningRate && e.LearningRate == 1e-3f));
    }

    [TestMethod]
    public void CurrentFormatKeepsEachEpochsLearningRate()
    {
        // The generator trains with the default constant learning rate, 0.001.
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "0x00010002", "lstm-regression-many-to-one.zip"), out _);
        var rnn = model as RnnTransformer ?? ((TransformerChain<ITransformer>)model).OfType<RnnTransformer>().Single();
        Assert.HasCount(3, rnn.TrainingHistory);
        Assert.IsTrue(rnn.TrainingHistory.All(e => e.LearningRate == 1e-3f));
    }

    private static Expected Load(string version, string name, out ITransformer model, out MLContext ml)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "fixtures", "models", version);
        ml = new MLContext(seed: 7);
        model = ml.Model.Load(Path.Combine(folder, name + ".zip"), out _);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected-scores.json")));
        return new Expected(document.RootElement.GetProperty(name).Clone());
    }

    private static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>One model's recorded inputs and outputs.</summary>
    private sealed record Expected(JsonElement Root)
    {
        public float[][] Floats(string name) =>
            Root.GetProperty(name).EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

        public string[] Bits(string name) => Root.GetProperty(name).EnumerateArray().Select(v => v.GetString()!).ToArray();

        public string[] BitVectors(string name) =>
            Root.GetProperty(name).EnumerateArray().Select(row => string.Join(",", row.EnumerateArray().Select(v => v.GetString()))).ToArray();

        public string[] Strings(string name) =>
            Root.GetProperty(name).EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Array
                ? string.Join(",", v.EnumerateArray().Select(Text))
                : Text(v)).ToArray();

        private static string Text(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            _ => value.GetRawText(),
        };
    }

    private sealed class Window12
    {
        [VectorType(12)] public float[] Features { get; set; } = [];
    }

    private sealed class SeriesRow
    {
        [VectorType(8)] public float[] Open { get; set; } = [];
        [VectorType(8)] public float[] Close { get; set; } = [];
        public string Direction { get; set; } = "";
    }

    private sealed class Vector3
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    private sealed class ClassesRow
    {
        public float[] Features { get; set; } = [];
        public string[] Classes { get; set; } = [];
    }

    private sealed class VariableRow
    {
        public float[] Features { get; set; } = [];
    }
}
