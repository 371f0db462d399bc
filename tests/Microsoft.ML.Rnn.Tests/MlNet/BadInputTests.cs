using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Every bad input fails at <c>Fit</c> and (for schema and option problems) at <c>GetOutputSchema</c>, with a
/// message naming the column or option, what was found and what was expected.</summary>
[TestClass]
public sealed class BadInputTests
{
    private sealed class ScalarFeatureRow
    {
        public float Features { get; set; }
        public float Label { get; set; }
    }

    private sealed class DoubleFeatureRow
    {
        [VectorType(TestData.Length)] public double[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class OddLengthRow
    {
        [VectorType(7)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class ShortLabelRow
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
        [VectorType(3)] public float[] Label { get; set; } = [];
    }

    private sealed class TwoSeriesRow
    {
        [VectorType(4)] public float[] A { get; set; } = [];
        [VectorType(5)] public float[] B { get; set; } = [];
        public float Label { get; set; }
    }

    private static IDataView Regression(MLContext ml) => TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 6);

    /// <summary>Asserts both GetOutputSchema and Fit throw <typeparamref name="T"/> with every fragment in the message.</summary>
    private static void AssertRejected<T>(IEstimator<ITransformer> trainer, IDataView data, params string[] fragments)
        where T : Exception
    {
        var atSchema = Assert.Throws<T>(() => trainer.GetOutputSchema(SchemaPropagationTests.ShapeOf(data.Schema)));
        var atFit = Assert.Throws<T>(() => trainer.Fit(data));
        foreach (string fragment in fragments)
        {
            StringAssert.Contains(atSchema.Message, fragment);
            StringAssert.Contains(atFit.Message, fragment);
        }
    }

    [TestMethod]
    public void MissingFeatureColumn()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.FeatureColumnName = "Nope";
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(options), Regression(ml), "'Nope'", "no such column", "expected");
    }

    [TestMethod]
    public void MissingLabelColumn()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.LabelColumnName = "Target";
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(options), Regression(ml), "'Target'", "no such column");
    }

    [TestMethod]
    public void ScalarFeatureColumn()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new ScalarFeatureRow { Features = 1, Label = 2 } });
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(TestData.Options()), data, "'Features'", "Single", "expected a vector of Single");
    }

    [TestMethod]
    public void DoubleFeatureColumn()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new DoubleFeatureRow { Features = new double[TestData.Length] } });
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(TestData.Options()), data, "'Features'", "Double", "vector of Single");
    }

    [TestMethod]
    public void KnownLengthNotAMultipleOfInputSize()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new OddLengthRow { Features = new float[7] } });
        var trainer = ml.Regression.Trainers.Rnn(TestData.Options());
        // Shapes carry no vector sizes, so only Fit (and scoring) can see this one.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "7 values");
        StringAssert.Contains(e.Message, "InputSize = 2");
    }

    [TestMethod]
    public void VariableLengthNotAMultipleOfInputSize()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableRow { Features = [1, 2, 3, 4], Label = 1 },
            new TestData.VariableRow { Features = [1, 2, 3], Label = 1 },
        });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(TestData.Options()).Fit(data));
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "InputSize = 2");
    }

    [TestMethod]
    public void ManyToManyLabelLengthDoesNotMatchSteps()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new ShortLabelRow { Features = new float[TestData.Length], Label = new float[3] } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.ManyToMany)).Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "3 values");
        StringAssert.Contains(e.Message, "4 steps");
    }

    [TestMethod]
    public void VariableManyToManyLabelLengthDoesNotMatchSteps()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableVectorRow { Features = [1, 2, 3, 4], Label = [1, 2] },
            new TestData.VariableVectorRow { Features = [1, 2, 3, 4, 5, 6], Label = [1, 2] },
        });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.ManyToMany)).Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "3 steps");
    }

    [TestMethod]
    public void WrongLabelTypes()
    {
        var ml = new MLContext(1);
        IDataView floatLabel = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 4);
        IDataView boolLabel = TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne, rows: 4);
        IDataView textLabel = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne, rows: 4);
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(TestData.Options()), boolLabel, "'Label'", "Boolean", "expected Single");
        AssertRejected<ArgumentOutOfRangeException>(ml.BinaryClassification.Trainers.Rnn(TestData.Options()), floatLabel, "'Label'", "Single", "expected Boolean");
        AssertRejected<ArgumentOutOfRangeException>(ml.MulticlassClassification.Trainers.Rnn(TestData.Options()), textLabel, "'Label'", "String", "key type");
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.ManyToMany)), floatLabel, "'Label'", "N vs N");
    }

    [TestMethod]
    public void SeriesColumnsOfDifferentLengths()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new TwoSeriesRow { A = new float[4], B = new float[5] } });
        RnnTrainer.Options options = TestData.Options();
        options.InputSize = 1;
        options.SeriesColumnNames = ["A", "B"];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        StringAssert.Contains(e.Message, "'B'");
        StringAssert.Contains(e.Message, "equal length");
    }

    private sealed class VariableDecoderRow
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }

    /// <summary>One row of zero features whose label repeats <paramref name="labels"/> over <paramref name="labelSize"/> values.</summary>
    private static IDataView DecoderRows<TLabel>(MLContext ml, int featureSize, int labelSize, PrimitiveDataViewType labelItem, params TLabel[] labels) =>
        TestData.Sized(ml, [new TestData.DecoderRow<TLabel> { Features = new float[featureSize], Label = Enumerable.Range(0, labelSize).Select(i => labels[i % labels.Length]).ToArray() }],
            featureSize, labelSize, labelItem);

    [TestMethod]
    public void OneToManyFeatureColumnOfTheWrongSize()
    {
        var ml = new MLContext(1);
        // InputSize = 2, but each row holds 8 values: OneToMany reads one input vector per row, not a sequence.
        IDataView data = DecoderRows(ml, featureSize: TestData.Length, TestData.OutputLength, NumberDataViewType.Single, 1f);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.OneToMany)).Fit(data));
        StringAssert.Contains(e.Message, "Feature column 'Features': found vectors of 8 values; expected InputSize = 2 values");
        StringAssert.Contains(e.Message, "OneToMany");
    }

    [TestMethod]
    public void OneToManyFeatureColumnOfVariableSize()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VariableDecoderRow { Features = [1, 2], Label = [1, 2, 3] } });
        RnnTrainer.Options options = TestData.Options(head: RnnHead.OneToMany);
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(options), data, "Feature column 'Features'", "Vector<Single>", "known-size vector");
    }

    [TestMethod]
    public void OneToManyScoringDataOfAnotherSize()
    {
        var ml = new MLContext(1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.OneToMany, epochs: 1))
            .Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.OneToMany, rows: 6));
        IDataView other = DecoderRows(ml, featureSize: 3, TestData.OutputLength, NumberDataViewType.Single, 1f);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "Feature column 'Features': found vectors of 3 values; expected the model's 2 input values");
    }

    [TestMethod]
    [DataRow(RnnHead.OneToMany)]
    [DataRow(RnnHead.EncoderDecoder)]
    public void DecoderLabelsOfTheWrongLength(RnnHead head)
    {
        var ml = new MLContext(1);
        int features = head == RnnHead.OneToMany ? TestData.InputSize : TestData.Length;
        // OutputLength = 3; each label holds 4 (for N vs M, the input's step count: a label that follows the input is refused).
        var regression = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(TestData.Options(head: head))
            .Fit(DecoderRows(ml, features, 4, NumberDataViewType.Single, 1f)));
        StringAssert.Contains(regression.Message, "Label column 'Label': found vectors of 4 values for OutputLength = 3 output steps");
        StringAssert.Contains(regression.Message, "OutputLength × outputs");

        var binary = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Rnn(TestData.Options(head: head))
            .Fit(DecoderRows(ml, features, 4, BooleanDataViewType.Instance, true)));
        StringAssert.Contains(binary.Message, "Label column 'Label': found vectors of 4 values for OutputLength = 3 output steps; expected 3 values");

        var multiclass = Assert.Throws<ArgumentOutOfRangeException>(() => TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options(head: head))
            .Fit(DecoderRows(ml, features, 4, TextDataViewType.Instance, "low", "mid")));
        StringAssert.Contains(multiclass.Message, "Label column 'Label': found vectors of 4 keys for OutputLength = 3 output steps; expected 3 keys");
    }

    [TestMethod]
    public void EncoderDecoderVariableLabelOfTheWrongLengthInARow()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new VariableDecoderRow { Features = [1, 2, 3, 4], Label = [1, 2, 3] },
            new VariableDecoderRow { Features = [1, 2, 3, 4, 5, 6], Label = [1, 2, 3, 4] },
        });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.EncoderDecoder)).Fit(data));
        StringAssert.Contains(e.Message, "Label column 'Label' holds 4 values in training row 1; expected 3 (OutputLength = 3 output steps × 1 per step).");
    }

    [TestMethod]
    public void DecoderLabelOfTheWrongType()
    {
        var ml = new MLContext(1);
        IDataView scalarLabel = Regression(ml);
        AssertRejected<ArgumentOutOfRangeException>(ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.EncoderDecoder)), scalarLabel,
            "Label column 'Label'", "OutputLength × outputs = 3 × outputs values", "N vs M");
        AssertRejected<ArgumentOutOfRangeException>(ml.BinaryClassification.Trainers.Rnn(TestData.Options(head: RnnHead.EncoderDecoder)),
            TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne, rows: 4), "Label column 'Label'", "one per output step, OutputLength = 3 (N vs M)");
    }

    public static IEnumerable<object[]> BadOptions()
    {
        yield return Bad("HiddenSize", o => o.HiddenSize = 0);
        yield return Bad("InputSize", o => o.InputSize = -1);
        yield return Bad("NumberOfLayers", o => o.NumberOfLayers = -1);
        yield return Bad("BatchSize", o => o.BatchSize = 0);
        yield return Bad("MaxEpochs", o => o.MaxEpochs = -1);
        yield return Bad("Dropout", o => o.Dropout = 1f);
        yield return Bad("Dropout", o => o.Dropout = -0.1f);
        yield return Bad("LearningRate", o => o.LearningRate = 0f);
        yield return Bad("LearningRate", o => o.LearningRate = float.NaN);
        yield return Bad("Momentum", o => o.Momentum = 1f);
        yield return Bad("WeightDecay", o => o.WeightDecay = -1f);
        yield return Bad("GradientClipNorm", o => o.GradientClipNorm = float.PositiveInfinity);
        yield return Bad("EarlyStoppingPatience", o => o.EarlyStoppingPatience = -1);
        yield return Bad("NumberOfThreads", o => o.NumberOfThreads = 0);
        yield return Bad("Cell", o => o.Cell = (RnnCellType)42);
        yield return Bad("Head", o => o.Head = (RnnHead)42);
        yield return Bad("Optimizer", o => o.Optimizer = (RnnOptimizerKind)42);
        yield return Bad("FeatureColumnName", o => o.FeatureColumnName = "");
        yield return Bad("LabelColumnName", o => o.LabelColumnName = " ");
        yield return Bad("SeriesColumnNames", o => o.SeriesColumnNames = []);
        yield return Bad("SeriesColumnNames", o => o.SeriesColumnNames = ["A", "A"]);
        yield return Bad("InputSize", o => { o.SeriesColumnNames = ["A", "B"]; o.InputSize = 3; });

        // The decoder heads' settings (issue 9, "Bad input"): each names the option the user set.
        yield return Bad("OutputLength", o => o.OutputLength = 0);
        yield return Bad("OutputLength", o => { o.Head = RnnHead.EncoderDecoder; o.OutputLength = -2; });
        yield return Bad("OutputLength", o => o.OutputLength = 3);
        yield return Bad("OutputLength", o => { o.Head = RnnHead.ManyToMany; o.OutputLength = 2; });
        yield return Bad("Context", o => o.Context = RnnContext.Projected);
        yield return Bad("Context", o => { o.Head = RnnHead.OneToMany; o.Context = RnnContext.Attention; });
        yield return Bad("Context", o => { o.Head = RnnHead.EncoderDecoder; o.Context = (RnnContext)42; });
        yield return Bad("DecoderInput", o => o.DecoderInput = RnnDecoderInput.EveryStep);
        yield return Bad("DecoderInput", o => { o.Head = RnnHead.EncoderDecoder; o.DecoderInput = (RnnDecoderInput)42; });
        yield return Bad("DecoderInput", o => { o.Head = RnnHead.OneToMany; o.DecoderInput = RnnDecoderInput.InitialStateAndEveryStep; });
        yield return Bad("DecoderInput", o => { o.Head = RnnHead.EncoderDecoder; o.Context = RnnContext.Attention; });
        yield return Bad("Bidirectional", o => { o.Head = RnnHead.OneToMany; o.Bidirectional = true; });
        yield return Bad("Bidirectional", o => { o.Head = RnnHead.EncoderDecoder; o.Bidirectional = true; });
        yield return Bad("Dropout", o => { o.Head = RnnHead.OneToMany; o.NumberOfLayers = 2; o.Dropout = 0.5f; });
        yield return Bad("FeedPreviousOutput", o => o.FeedPreviousOutput = true);
        yield return Bad("FeedPreviousOutput", o => { o.Head = RnnHead.ManyToMany; o.FeedPreviousOutput = true; });
        yield return Bad("Stateful", o => { o.Head = RnnHead.OneToMany; o.Stateful = true; });
        yield return Bad("Stateful", o => { o.Head = RnnHead.EncoderDecoder; o.Stateful = true; });
        yield return Bad("SeriesColumnNames", o => { o.Head = RnnHead.OneToMany; o.InputSize = 0; o.SeriesColumnNames = ["A", "B"]; });
    }

    [TestMethod]
    public void DecoderSettingsThatDoNotFitSayWhatWould()
    {
        var ml = new MLContext(1);
        string Message(Action<RnnTrainer.Options> change)
        {
            RnnTrainer.Options options = TestData.Options();
            change(options);
            return Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(Regression(ml))).Message;
        }

        string feedback = Message(o => o.FeedPreviousOutput = true);
        StringAssert.Contains(feedback, "Option 'FeedPreviousOutput' is true with Head ManyToOne");
        StringAssert.Contains(feedback, "Head = OneToMany or EncoderDecoder");
        // The core calls it OutputFeedback; the user never set an option of that name.
        Assert.IsFalse(feedback.Contains("OutputFeedback", StringComparison.Ordinal), feedback);

        string bidirectional = Message(o => { o.Head = RnnHead.EncoderDecoder; o.Bidirectional = true; o.HiddenSize = 6; });
        StringAssert.Contains(bidirectional, "Option 'Bidirectional' is true with Context LastState and DecoderInput InitialState");
        StringAssert.Contains(bidirectional, "2 × HiddenSize = 12");
        StringAssert.Contains(bidirectional, "Context = Projected");

        string attention = Message(o => { o.Head = RnnHead.EncoderDecoder; o.Context = RnnContext.Attention; });
        StringAssert.Contains(attention, "Option 'DecoderInput' is InitialState with Context Attention");
        StringAssert.Contains(attention, "EveryStep or InitialStateAndEveryStep");

        StringAssert.Contains(Message(o => o.OutputLength = 0), "Option 'OutputLength' is 0; expected steps the decoder emits, from 1 to 65536");
        StringAssert.Contains(Message(o => { o.Head = RnnHead.OneToMany; o.Stateful = true; }), "Option 'Stateful' is true with Head OneToMany");
    }

    private static object[] Bad(string option, Action<RnnTrainer.Options> change) => [option, change];

    [TestMethod]
    [DynamicData(nameof(BadOptions))]
    public void InvalidOption(string option, Action<RnnTrainer.Options> change)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        change(options);
        var trainer = ml.Regression.Trainers.Rnn(options);
        var atSchema = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(SchemaPropagationTests.ShapeOf(Regression(ml).Schema)));
        var atFit = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Regression(ml)));
        Assert.AreEqual(option, atSchema.ParamName);
        Assert.AreEqual(option, atFit.ParamName);
        StringAssert.Contains(atFit.Message, $"Option '{option}'");
        StringAssert.Contains(atFit.Message, "expected");
    }

    [TestMethod]
    public void UnknownInitialParameterName()
    {
        var ml = new MLContext(1);
        IDataView data = Regression(ml);
        RnnTransformer trained = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        var parameters = trained.Network.ExportParameters().ToDictionary();
        parameters["rnn.weight_xx_l0"] = [1f];
        RnnTrainer.Options options = TestData.Options();
        options.InitialParameters = parameters;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        Assert.AreEqual("InitialParameters", e.ParamName);
        StringAssert.Contains(e.Message, "rnn.weight_xx_l0");
        StringAssert.Contains(e.Message, "rnn.weight_ih_l0 [20, 2]");
    }

    [TestMethod]
    public void InitialParametersOfTheWrongSize()
    {
        var ml = new MLContext(1);
        IDataView data = Regression(ml);
        var parameters = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data).Network.ExportParameters().ToDictionary();
        parameters["head.bias"] = [1f, 2f];
        RnnTrainer.Options options = TestData.Options();
        options.InitialParameters = parameters;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        StringAssert.Contains(e.Message, "head.bias");
    }

    [TestMethod]
    public void ScoringDataWithoutTheFeatureColumn()
    {
        var ml = new MLContext(1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(Regression(ml));
        IDataView other = ml.Data.LoadFromEnumerable(new[] { new ScalarFeatureRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "'Features'");
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(other.Schema));
    }

    [TestMethod]
    public void ValidationSetWithTheWrongSchema()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.ValidationSet = ml.Data.LoadFromEnumerable(new[] { new ScalarFeatureRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(Regression(ml)));
        Assert.AreEqual("ValidationSet", e.ParamName);
        StringAssert.Contains(e.Message, "'Features'");
    }
}
