using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// The decoder heads (1 vs N, N vs M) through the public ML.NET API: every head × task trains and scores OutputLength steps,
/// the output columns have the documented types, scores are the network's own outputs, parameters carry PyTorch's names,
/// and the training loop's features (label standardisation per output, example weights, validation) work on M steps.
/// </summary>
[TestClass]
public sealed class DecoderHeadTrainingTests
{
    private const int M = TestData.OutputLength;

    public static IEnumerable<object[]> Cases() =>
        from head in new[] { RnnHead.OneToMany, RnnHead.EncoderDecoder }
        from task in Enum.GetValues<RnnTask>()
        select new object[] { head, task };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void TrainsAndScoresOutputLengthSteps(RnnHead head, RnnTask task)
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, task, head, rows: 48);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, head, epochs: 30);
        options.FeedPreviousOutput = true;
        ITransformer model = TestData.Pipeline(ml, task, options).Fit(data);
        RnnTransformer rnn = RoundTripTests.Find(model);
        Assert.IsLessThan(rnn.TrainingHistory[0].TrainLoss, rnn.TrainingHistory[^1].TrainLoss, "training did not lower the loss");

        IDataView scored = model.Transform(data);
        int outputs = task == RnnTask.MulticlassClassification ? TestData.Classes.Length : 1;
        AssertVector(scored.Schema["Score"], NumberDataViewType.Single, M * outputs);
        if (task == RnnTask.BinaryClassification)
        {
            AssertVector(scored.Schema["Probability"], NumberDataViewType.Single, M);
            AssertVector(scored.Schema["PredictedLabel"], BooleanDataViewType.Instance, M);
        }

        if (task == RnnTask.MulticlassClassification)
        {
            AssertVector(scored.Schema["PredictedLabel"], new KeyDataViewType(typeof(uint), outputs), M);
            Assert.IsNotNull(scored.Schema["PredictedLabel"].Annotations.Schema.GetColumnOrNull("KeyValues"));
        }

        Assert.IsNotNull(scored.Schema["Score"].Annotations.Schema.GetColumnOrNull("ScoreColumnKind"));

        // Score is the network's free-running output for the row (in the label's units for regression).
        float[][] features = scored.GetColumn<float[]>("Features").ToArray();
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        var raw = new float[rnn.Network.OutputLength(features[0].Length / rnn.Options.InputSize)];
        Assert.HasCount(M * outputs, raw);
        for (int row = 0; row < features.Length; row++)
        {
            rnn.Network.Predict(features[row], raw);
            float[] expected = task switch
            {
                RnnTask.Regression when rnn.Model.LabelStandardization is { } labels => raw.Select(v => v * labels.StandardDeviation[0] + labels.Mean[0]).ToArray(),
                RnnTask.MulticlassClassification => Softmax(raw, outputs),
                _ => raw,
            };
            if (task == RnnTask.MulticlassClassification)
                CollectionAssert.AreEqual(expected, scores[row], new Tolerance(1e-6f), $"row {row}");
            else
                CollectionAssert.AreEqual(expected, scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void OneToManyTakesTheInputSizeFromTheVector()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Sized(ml,
            TestData.Sequences(8, seed: 3, length: 5).Select(f => new TestData.DecoderRow<float> { Features = f, Label = f[..M] }), 5, M, NumberDataViewType.Single);
        RnnTrainer.Options options = TestData.Options(head: RnnHead.OneToMany, epochs: 1);
        options.InputSize = 0;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        Assert.AreEqual(5, model.Options.InputSize);
        // LSTM: 4 gates × HiddenSize 5 rows, one column per input value.
        CollectionAssert.AreEqual(new[] { 20, 5 }, model.Network.ParameterShapes.Single(p => p.Name == "rnn.weight_ih_l0").Shape);
    }

    public static IEnumerable<object[]> ParameterCases()
    {
        // LSTM (4 gates), F = 2 features, H = 5, one output: the spec's names and PyTorch's shapes.
        string[] lstmEncoder = ["rnn.weight_ih_l0 [20, 2]", "rnn.weight_hh_l0 [20, 5]", "rnn.bias_ih_l0 [20]", "rnn.bias_hh_l0 [20]"];
        string[] Decoder(int inputs) => [$"decoder.weight_ih_l0 [20, {inputs}]", "decoder.weight_hh_l0 [20, 5]", "decoder.bias_ih_l0 [20]", "decoder.bias_hh_l0 [20]"];
        string[] head = ["head.weight [1, 5]", "head.bias [1]"];
        // LastState as the initial state, no feedback: the decoder reads no input (PyTorch's input_size = 0).
        yield return [RnnHead.EncoderDecoder, RnnContext.LastState, RnnDecoderInput.InitialState, false, (string[])[.. lstmEncoder, .. Decoder(0), .. head]];
        // Projected at every step, plus the previous output: context.* then decoder input H + 1.
        yield return [RnnHead.EncoderDecoder, RnnContext.Projected, RnnDecoderInput.EveryStep, true,
            (string[])[.. lstmEncoder, "context.weight [5, 5]", "context.bias [5]", .. Decoder(6), .. head]];
        yield return [RnnHead.EncoderDecoder, RnnContext.Attention, RnnDecoderInput.InitialStateAndEveryStep, false,
            (string[])[.. lstmEncoder, "attention.weight [5, 5]", .. Decoder(5), .. head]];
        // 1 vs N: rnn.* is the decoder itself, reading x (and the previous output).
        yield return [RnnHead.OneToMany, RnnContext.LastState, RnnDecoderInput.EveryStep, true,
            (string[])["rnn.weight_ih_l0 [20, 3]", "rnn.weight_hh_l0 [20, 5]", "rnn.bias_ih_l0 [20]", "rnn.bias_hh_l0 [20]", .. head]];
    }

    [TestMethod]
    [DynamicData(nameof(ParameterCases))]
    public void ParametersHavePyTorchsNamesAndShapes(RnnHead head, RnnContext context, RnnDecoderInput input, bool feedback, string[] expected)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, head, epochs: 1);
        options.Context = context;
        options.DecoderInput = input;
        options.FeedPreviousOutput = feedback;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, head, rows: 8));
        CollectionAssert.AreEqual(expected, model.Network.ParameterShapes.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]").ToArray());
        CollectionAssert.AreEquivalent(expected.Select(e => e[..e.IndexOf(' ')]).ToArray(), model.Network.ExportParameters().Keys.ToArray());
    }

    [TestMethod]
    public void ExportedParametersStartAnIdenticalModel()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.EncoderDecoder, rows: 16);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, RnnHead.EncoderDecoder, epochs: 2);
        options.Context = RnnContext.Attention;
        options.DecoderInput = RnnDecoderInput.EveryStep;
        options.FeedPreviousOutput = true;
        ITransformer trained = TestData.Pipeline(ml, RnnTask.MulticlassClassification, options).Fit(data);
        IReadOnlyDictionary<string, float[]> parameters = RoundTripTests.Find(trained).Network.ExportParameters();
        Assert.IsTrue(parameters.ContainsKey("attention.weight") && parameters.ContainsKey("decoder.weight_ih_l0"));

        options.MaxEpochs = 0;
        options.InitialParameters = parameters;
        ITransformer imported = TestData.Pipeline(ml, RnnTask.MulticlassClassification, options).Fit(data);
        CollectionAssert.AreEqual(TestData.OutputBits(trained.Transform(data)), TestData.OutputBits(imported.Transform(data)));
    }

    [TestMethod]
    public void LabelIsStandardisedPerOutputOverTheOutputSteps()
    {
        // Two outputs per step on very different scales: output 0 around 1000, output 1 around −5.
        var ml = new MLContext(1);
        float[][] features = TestData.Sequences(20, seed: 5);
        float[][] labels = features.Select(f => Enumerable.Range(0, M).SelectMany(t => new[] { 1000 + 50 * f[2 * t], -5 + f[2 * t + 1] }).ToArray()).ToArray();
        IDataView data = TestData.Sized(ml, features.Select((f, i) => new TestData.DecoderRow<float> { Features = f, Label = labels[i] }),
            TestData.Length, 2 * M, NumberDataViewType.Single);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.EncoderDecoder, epochs: 1)).Fit(data);
        Assert.AreEqual(2, model.Network.Shape.OutputSize);
        RnnLabelStandardization statistics = model.Model.LabelStandardization!;
        for (int output = 0; output < 2; output++)
        {
            double[] values = labels.SelectMany(l => Enumerable.Range(0, M).Select(t => (double)l[2 * t + output])).ToArray();
            double mean = values.Average(), deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            Assert.AreEqual(mean, statistics.Mean[output], Math.Abs(mean) * 1e-6, $"mean of output {output}");
            Assert.AreEqual(deviation, statistics.StandardDeviation[output], deviation * 1e-5, $"standard deviation of output {output}");
        }
    }

    [TestMethod]
    public void ARowOfWeightZeroIsLeftOut()
    {
        // Full-batch steps (no shuffling): the rows of weight 0 must not move the parameters at all.
        var ml = new MLContext(1);
        float[][] features = TestData.Sequences(12, seed: 9);
        var kept = features.Take(8).Select(f => new WeightedRow { Features = f, Label = TestData.DecoderTargets(RnnHead.EncoderDecoder, f), Weight = 1 });
        var dropped = features.Skip(8).Select(f => new WeightedRow { Features = f, Label = [50, -50, 50], Weight = 0 });
        RnnTrainer.Options Options(bool weighted)
        {
            RnnTrainer.Options options = TestData.Options(head: RnnHead.EncoderDecoder, epochs: 3);
            options.Shuffle = false;
            options.BatchSize = 64;
            options.StandardizeLabel = false;
            options.ExampleWeightColumnName = weighted ? "Weight" : null;
            return options;
        }

        var all = ml.Regression.Trainers.Rnn(Options(weighted: true)).Fit(ml.Data.LoadFromEnumerable(kept.Concat(dropped)));
        var only = ml.Regression.Trainers.Rnn(Options(weighted: false)).Fit(ml.Data.LoadFromEnumerable(kept));
        foreach ((string name, float[] values) in only.Network.ExportParameters())
            CollectionAssert.AreEqual(values, all.Network.ExportParameters()[name], new Tolerance(1e-5f), name);
    }

    [TestMethod]
    public void ValidationLossIsReportedAndEarlyStoppingKeepsTheBestEpoch()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(head: RnnHead.EncoderDecoder, epochs: 40);
        options.ValidationSet = TestData.Data(ml, RnnTask.Regression, RnnHead.EncoderDecoder, rows: 12, seed: 11);
        options.EarlyStoppingPatience = 3;
        options.LearningRate = 0.3f; // large enough to overshoot, so that the validation loss stops falling
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.EncoderDecoder, rows: 24));
        Assert.IsTrue(model.TrainingHistory.All(e => e.ValidationLoss is float v && float.IsFinite(v)));
        // Stopped early: the best epoch (the first with the lowest validation loss) is three before the last.
        Assert.IsLessThan(40, model.TrainingHistory.Count);
        float best = model.TrainingHistory.Min(e => e.ValidationLoss!.Value);
        int bestEpoch = model.TrainingHistory.First(e => e.ValidationLoss == best).Epoch;
        Assert.AreEqual(model.TrainingHistory.Count - 3, bestEpoch);
    }

    private sealed class WeightedRow
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
        [VectorType(M)] public float[] Label { get; set; } = [];
        public float Weight { get; set; }
    }

    private static void AssertVector(DataViewSchema.Column column, DataViewType item, int size)
    {
        var vector = column.Type as VectorDataViewType;
        Assert.IsNotNull(vector, $"{column.Name} is {column.Type}");
        Assert.AreEqual(item, vector.ItemType, column.Name);
        Assert.AreEqual(size, vector.Size, column.Name);
    }

    private static float[] Softmax(float[] raw, int classes)
    {
        var result = new float[raw.Length];
        for (int step = 0; step < raw.Length / classes; step++)
        {
            double[] e = raw.Skip(step * classes).Take(classes).Select(v => Math.Exp(v)).ToArray();
            for (int k = 0; k < classes; k++)
                result[step * classes + k] = (float)(e[k] / e.Sum());
        }

        return result;
    }

    private sealed class Tolerance(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
