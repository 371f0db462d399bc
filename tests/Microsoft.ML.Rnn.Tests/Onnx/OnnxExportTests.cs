using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Onnx;

/// <summary>
/// <c>ConvertToOnnx</c> on a pipeline ending in the RNN writes a file that ONNX Runtime and ML.NET's <c>ApplyOnnxModel</c>
/// run to the scores <see cref="RnnTransformer"/> gives, within 1e-5 relative, for every cell, head, task, direction count,
/// layer count and fixed or variable length; whatever the export cannot write exactly it refuses.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    /// <summary>1e-5 of the larger magnitude, with magnitudes below 0.1 counted as 0.1: the file's arithmetic
    /// (ONNX Runtime's kernels, another summation order) differs from the managed core's in the last bits.</summary>
    private const float Relative = 1e-5f, Floor = 0.1f;

    public static IEnumerable<object[]> Configurations()
    {
        foreach (RnnCellType cell in Enum.GetValues<RnnCellType>())
            foreach (RnnHead head in new[] { RnnHead.ManyToOne, RnnHead.ManyToMany })
                foreach (RnnTask task in Enum.GetValues<RnnTask>())
                    foreach (bool bidirectional in new[] { false, true })
                        foreach (int layers in new[] { 1, 2 })
                            foreach (bool variable in new[] { false, true })
                                yield return [cell, head, task, bidirectional, layers, variable];
    }

    public static string Name(System.Reflection.MethodInfo method, object[] data) =>
        $"{data[0]} {data[1]} {data[2]}{((bool)data[3] ? " bidirectional" : "")} {data[4]} layer(s) {((bool)data[5] ? "variable" : "fixed")}";

    [TestMethod]
    [DynamicData(nameof(Configurations), DynamicDataDisplayName = nameof(Name))]
    public void ExportedFileScoresAsTheTransformer(RnnCellType cell, RnnHead head, RnnTask task, bool bidirectional, int layers, bool variable)
    {
        var ml = new MLContext(1);
        IDataView data = OnnxExportData.Load(ml, variable);
        var options = new RnnTrainer.Options
        {
            InputSize = OnnxExportData.InputSize,
            Cell = cell,
            Nonlinearity = cell == RnnCellType.Rnn && layers == 2 ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
            Head = head,
            HiddenSize = 4,
            NumberOfLayers = layers,
            Bidirectional = bidirectional,
            BatchSize = 8,
            MaxEpochs = 2,
            LearningRate = 0.05f,
            Seed = 3,
            NumberOfThreads = 1,
        };
        ITransformer fitted = OnnxExportData.Pipeline(ml, task, head, options).Fit(data);
        RnnTransformer rnn = fitted as RnnTransformer ?? ((IEnumerable<ITransformer>)fitted).OfType<RnnTransformer>().Single();

        // The RNN alone, over the feature column alone: the file's only input.
        IDataView features = ml.Transforms.SelectColumns("Features").Fit(data).Transform(data);
        AssertFileScoresAsModel(ml, rnn, features, batchRows: !variable);
    }

    [TestMethod]
    public void PipelineWithNormalizerBeforeTheRnnExportsAsOneFile()
    {
        var ml = new MLContext(1);
        IDataView data = OnnxExportData.Load(ml, variable: false);
        IDataView features = ml.Transforms.SelectColumns("Features", "Value").Fit(data).Transform(data);
        var options = new RnnTrainer.Options
        {
            InputSize = OnnxExportData.InputSize, Cell = RnnCellType.Lstm, HiddenSize = 4, NumberOfLayers = 2, Bidirectional = true,
            LabelColumnName = "Value", BatchSize = 8, MaxEpochs = 2, Seed = 3, NumberOfThreads = 1,
        };
        ITransformer model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Regression.Trainers.Rnn(options))
            .Fit(features);
        IDataView input = ml.Transforms.SelectColumns("Features").Fit(features).Transform(features);
        float[][] raw = OnnxScores.FromDataView(input, "Features");
        AssertFileScoresAsModel(ml, model, input, batchRows: true);

        // The normaliser is in the file: the network alone on raw features scores differently.
        RnnTransformer rnn = ((IEnumerable<ITransformer>)model).OfType<RnnTransformer>().Single();
        var unnormalized = new float[1];
        rnn.Network.Predict(raw[0], unnormalized);
        Assert.AreNotEqual(OnnxScores.FromDataView(model.Transform(input), "Score")[0][0], unnormalized[0]);
    }

    /// <summary>
    /// The decoder heads over the same product as the others — every cell × task × direction count (N vs M's encoder) ×
    /// layer count × fixed or variable length (N vs M; 1 vs N reads one vector) — with the structure's own settings
    /// rotating so that every context × decoder input the rules allow, with and without feedback (free running in the
    /// file, as scoring), appears several times (a bidirectional encoder rotates over the settings that allow it).
    /// </summary>
    public static IEnumerable<object[]> DecoderConfigurations()
    {
        var settings = new List<(RnnContext Context, RnnDecoderInput Input, bool Feedback)>();
        foreach (bool feedback in new[] { false, true })
            foreach (RnnContext context in Enum.GetValues<RnnContext>())
                foreach (RnnDecoderInput input in Enum.GetValues<RnnDecoderInput>())
                    if (!(context == RnnContext.Attention && input == RnnDecoderInput.InitialState))
                        settings.Add((context, input, feedback));
        var bidirectionalSettings = settings.Where(s => s.Context == RnnContext.Projected || s.Input == RnnDecoderInput.EveryStep).ToList();
        int next = 0, nextBidirectional = 0;
        foreach (RnnCellType cell in Enum.GetValues<RnnCellType>())
            foreach (RnnTask task in Enum.GetValues<RnnTask>())
                foreach (int layers in new[] { 1, 2 })
                {
                    foreach (bool bidirectional in new[] { false, true })
                        foreach (bool variable in new[] { false, true })
                        {
                            var (context, input, feedback) = bidirectional
                                ? bidirectionalSettings[nextBidirectional++ % bidirectionalSettings.Count]
                                : settings[next++ % settings.Count];
                            yield return [RnnHead.EncoderDecoder, cell, task, context, input, feedback, bidirectional, layers, variable];
                        }

                    foreach (RnnDecoderInput input in new[] { RnnDecoderInput.InitialState, RnnDecoderInput.EveryStep })
                        yield return [RnnHead.OneToMany, cell, task, RnnContext.LastState, input, (layers + (int)task) % 2 == 0, false, layers, false];
                }
    }

    [TestMethod]
    public void DecoderConfigurationsCoverEverySetting()
    {
        object[][] all = DecoderConfigurations().ToArray();
        foreach (RnnContext context in Enum.GetValues<RnnContext>())
            foreach (RnnDecoderInput input in Enum.GetValues<RnnDecoderInput>())
                foreach (bool feedback in new[] { false, true })
                    if (!(context == RnnContext.Attention && input == RnnDecoderInput.InitialState))
                        Assert.IsTrue(all.Any(c => (RnnHead)c[0] == RnnHead.EncoderDecoder && (RnnContext)c[3] == context && (RnnDecoderInput)c[4] == input
                            && (bool)c[5] == feedback), $"{context} {input} feedback {feedback}");
        Assert.IsTrue(all.Any(c => (RnnHead)c[0] == RnnHead.EncoderDecoder && (RnnContext)c[3] == RnnContext.Attention && (bool)c[6]), "attention over a bidirectional encoder");
        foreach (RnnDecoderInput input in new[] { RnnDecoderInput.InitialState, RnnDecoderInput.EveryStep })
            foreach (bool feedback in new[] { false, true })
                Assert.IsTrue(all.Any(c => (RnnHead)c[0] == RnnHead.OneToMany && (RnnDecoderInput)c[4] == input && (bool)c[5] == feedback), $"OneToMany {input} feedback {feedback}");
    }

    public static string DecoderName(System.Reflection.MethodInfo method, object[] data) =>
        $"{data[0]} {data[1]} {data[2]} {data[3]} {data[4]}{((bool)data[5] ? " feedback" : "")}{((bool)data[6] ? " bidirectional" : "")} " +
        $"{data[7]} layer(s) {((bool)data[8] ? "variable" : "fixed")}";

    [TestMethod]
    [DynamicData(nameof(DecoderConfigurations), DynamicDataDisplayName = nameof(DecoderName))]
    public void ExportedDecoderScoresAsTheTransformer(RnnHead head, RnnCellType cell, RnnTask task, RnnContext context, RnnDecoderInput decoderInput,
        bool feedback, bool bidirectional, int layers, bool variable)
    {
        var ml = new MLContext(1);
        IDataView data = OnnxExportData.Load(ml, variable);
        var options = new RnnTrainer.Options
        {
            InputSize = OnnxExportData.InputSize,
            Cell = cell,
            Head = head,
            Context = context,
            DecoderInput = decoderInput,
            FeedPreviousOutput = feedback,
            HiddenSize = 4,
            NumberOfLayers = layers,
            Bidirectional = bidirectional,
            BatchSize = 8,
            MaxEpochs = 2,
            LearningRate = 0.05f,
            Seed = 3,
            NumberOfThreads = 1,
        };
        ITransformer fitted = OnnxExportData.Pipeline(ml, task, head, options).Fit(data);
        RnnTransformer rnn = fitted as RnnTransformer ?? ((IEnumerable<ITransformer>)fitted).OfType<RnnTransformer>().Single();

        string featureColumn = options.FeatureColumnName;
        IDataView features = ml.Transforms.SelectColumns(featureColumn).Fit(data).Transform(data);
        AssertFileScoresAsModel(ml, rnn, features, batchRows: !variable, featureColumn);
    }

    [TestMethod]
    [DataRow((RnnHead)17)]
    public void HeadsItCannotWriteAreRefusedByName(RnnHead head)
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 2, 4, 1, Head: head);
        var refusal = Assert.ThrowsExactly<NotSupportedException>(() => RnnOnnxSupport.ThrowIfUnsupported(shape, RnnTask.Regression));
        StringAssert.Contains(refusal.Message, $"head {head}");
    }

    [TestMethod]
    public void UndefinedCellIsRefusedByName()
    {
        var shape = new RnnNetworkShape((RnnCellType)9, 2, 4, 1);
        var refusal = Assert.ThrowsExactly<NotSupportedException>(() => RnnOnnxSupport.ThrowIfUnsupported(shape, RnnTask.Regression));
        StringAssert.Contains(refusal.Message, "cell 9");
    }

    [TestMethod]
    public void GatesMoveFromPyTorchOrderToOnnxOrder()
    {
        float[] lstm = [1, 1, 2, 2, 3, 3, 4, 4]; // i f g o, two values each
        var onnx = new float[8];
        OnnxGateOrder.Reorder(lstm, OnnxGateOrder.PyTorchBlocks(RnnCellType.Lstm), 2, onnx);
        CollectionAssert.AreEqual(new float[] { 1, 1, 4, 4, 2, 2, 3, 3 }, onnx); // i o f c

        float[] gru = [1, 2, 3]; // r z n
        var onnxGru = new float[3];
        OnnxGateOrder.Reorder(gru, OnnxGateOrder.PyTorchBlocks(RnnCellType.Gru), 1, onnxGru);
        CollectionAssert.AreEqual(new float[] { 2, 1, 3 }, onnxGru); // z r h
    }

    /// <summary>
    /// Exports <paramref name="model"/> over <paramref name="input"/> (whose only column is <c>Features</c>) and compares each of
    /// its output columns with ONNX Runtime (all rows as one batch, or one row per run for ragged rows) and with ML.NET's
    /// <c>ApplyOnnxModel</c> (one row at a time) running the file.
    /// </summary>
    internal static void AssertFileScoresAsModel(MLContext ml, ITransformer model, IDataView input, bool batchRows, string featureColumn = "Features")
    {
        IDataView scored = model.Transform(input);
        string[] columns = OnnxScores.Columns.Where(c => scored.Schema.GetColumnOrNull(c) is not null).ToArray();
        Dictionary<string, float[][]> expected = columns.ToDictionary(c => c, c => OnnxScores.FromDataView(scored, c));
        Assert.IsTrue(expected["Score"].SelectMany(r => r).All(float.IsFinite), "the model scores every row");

        string path = Path.Combine(Path.GetTempPath(), $"rnn-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            using (FileStream stream = File.Create(path))
                ml.Model.ConvertToOnnx(model, input, stream);

            float[][] features = OnnxScores.FromDataView(input, featureColumn);
            string[] outputs = columns.Select(c => c + ".output").ToArray();
            using (var session = new InferenceSession(path))
            {
                var runtime = outputs.ToDictionary(o => o, _ => new List<float[]>());
                foreach (float[][] rows in batchRows ? [features] : features.Select(r => new[] { r }))
                {
                    foreach (var (name, values) in OnnxScores.Run(session, new Dictionary<string, float[][]> { [featureColumn] = rows }, outputs))
                        runtime[name].AddRange(values);
                }

                foreach (string column in columns)
                    AssertClose(expected[column], runtime[column + ".output"].ToArray(), $"ONNX Runtime, {column}");
            }

            // ApplyOnnxModel names a column after its output less ML.NET's ".output" suffix: the same names as the model's.
            IDataView applied = ml.Transforms.ApplyOnnxModel(outputs, [featureColumn], path).Fit(input).Transform(input);
            foreach (string column in columns)
                AssertClose(expected[column], OnnxScores.FromDataView(applied, column), $"ApplyOnnxModel, {column}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: rows");
        for (int row = 0; row < expected.Length; row++)
        {
            Assert.HasCount(expected[row].Length, actual[row], $"{what}: values in row {row}");
            for (int i = 0; i < expected[row].Length; i++)
            {
                float e = expected[row][i], a = actual[row][i];
                float tolerance = Relative * Math.Max(Math.Max(Math.Abs(e), Math.Abs(a)), Floor);
                if (!(Math.Abs(e - a) <= tolerance))
                    Assert.Fail($"{what}[{row}][{i}]: the transformer gives {e}, the file {a} (tolerance {tolerance}).");
            }
        }
    }
}
