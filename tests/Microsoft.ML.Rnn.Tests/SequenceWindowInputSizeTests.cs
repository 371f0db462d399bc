using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// Windows over several columns carry their features per step to the trainer (the <see cref="RnnAnnotationKinds.FeaturesPerStep"/>
/// annotation), so that a window of 10 steps × 5 features is not read as 50 steps of one mixed feature.
/// </summary>
[TestClass]
public sealed class SequenceWindowInputSizeTests
{
    private sealed class Day
    {
        public float Open { get; set; }

        public float High { get; set; }

        public float Low { get; set; }

        public float Close { get; set; }

        public float Volume { get; set; }
    }

    private sealed class AnnotatedRow
    {
        [VectorType(TestData.Length)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private static IDataView Prices(MLContext ml, int days) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, days).Select(i =>
        {
            float close = 100 + 10 * MathF.Sin(i * 0.3f);
            return new Day { Open = close - 1, High = close + 2, Low = close - 2, Close = close, Volume = 1000 + i };
        }).ToArray());

    private static SequenceWindowDataView Windows(MLContext ml, string[] columns, int windowLength, int days = 40) =>
        ml.Data.CreateSequenceWindows(Prices(ml, days), new SequenceWindowOptions
        {
            InputColumns = columns,
            TargetColumn = "Close",
            WindowLength = windowLength,
            Normalization = SequenceWindowNormalization.RelativeToLast,
        });

    private static SequenceWindowDataView FiveColumnWindows(MLContext ml, int windowLength = 6) =>
        Windows(ml, ["Open", "High", "Low", "Close", "Volume"], windowLength);

    private static RnnTrainer.Options Options(int inputSize = 0) => new()
    {
        InputSize = inputSize,
        HiddenSize = 4,
        MaxEpochs = 1,
        Seed = 3,
        NumberOfThreads = 1,
    };

    [TestMethod]
    public void TheFeatureColumnSaysHowManyFeaturesMakeAStep()
    {
        var windows = FiveColumnWindows(new MLContext(1));

        int perStep = 0;
        windows.Schema["Features"].Annotations.GetValue(RnnAnnotationKinds.FeaturesPerStep, ref perStep);

        Assert.AreEqual(5, perStep);
        Assert.AreEqual(windows.FeaturesPerStep, perStep);
    }

    [TestMethod]
    public void UnsetInputSizeIsTakenFromTheWindowsAndSavedWithTheModel()
    {
        var ml = new MLContext(1);
        var windows = FiveColumnWindows(ml);

        RnnTransformer model = ml.Regression.Trainers.Rnn(Options()).Fit(windows);

        Assert.AreEqual(5, model.Network.Shape.InputSize, "6 steps of 5 features, not 30 steps of 1");
        Assert.AreEqual(5, model.Options.InputSize);
        using var stream = new MemoryStream();
        ml.Model.Save(model, windows.Schema, stream);
        stream.Position = 0;
        var loaded = (RnnTransformer)new MLContext(2).Model.Load(stream, out _);
        Assert.AreEqual(5, loaded.Network.Shape.InputSize);
        CollectionAssert.AreEqual(TestData.OutputBits(model.Transform(windows)), TestData.OutputBits(loaded.Transform(windows)));
    }

    [TestMethod]
    public void ExplicitInputSizeThatMatchesTheWindowsTrains()
    {
        var ml = new MLContext(1);

        RnnTransformer model = ml.Regression.Trainers.Rnn(Options(inputSize: 5)).Fit(FiveColumnWindows(ml));

        Assert.AreEqual(5, model.Network.Shape.InputSize);
    }

    [TestMethod]
    public void ExplicitInputSizeThatContradictsTheWindowsIsRefused()
    {
        var ml = new MLContext(1);
        var windows = FiveColumnWindows(ml);

        // An explicit 1 is the trap itself: 30 values read as 30 steps mixing Open, High, Low, Close and Volume.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(Options(inputSize: 1)).Fit(windows));

        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "annotation of 5 features per step");
        StringAssert.Contains(e.Message, "option InputSize is 1");
        StringAssert.Contains(e.Message, "InputSize = 5");
    }

    [TestMethod]
    public void ShortFormSetsInputSizeSoItMustMatchTheWindows()
    {
        var ml = new MLContext(1);
        var windows = FiveColumnWindows(ml);

        // The short form's inputSize defaults to 1, an explicit value (its default cannot change without breaking the public API).
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(maxEpochs: 1).Fit(windows));
        StringAssert.Contains(e.Message, "annotation of 5 features per step");

        Assert.AreEqual(5, ml.Regression.Trainers.Rnn(inputSize: 5, hiddenSize: 4, maxEpochs: 1).Fit(windows).Network.Shape.InputSize);
    }

    [TestMethod]
    public void ValidationWindowsOfAnotherWidthAreRefused()
    {
        var ml = new MLContext(1);
        var options = Options();
        // 10 steps × 3 features: 30 values, as the 6 × 5 training windows, so only the annotation tells them apart.
        options.ValidationSet = Windows(ml, ["High", "Low", "Close"], windowLength: 10);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(FiveColumnWindows(ml)));

        StringAssert.Contains(e.Message, "ValidationSet");
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "annotation of 3 features per step, but the training data has 5");
    }

    [TestMethod]
    public void ModelRefusesToScoreWindowsOfAnotherWidth()
    {
        var ml = new MLContext(1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(Options()).Fit(FiveColumnWindows(ml));
        var threeWide = Windows(ml, ["High", "Low", "Close"], windowLength: 10);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TestData.OutputBits(model.Transform(threeWide)));

        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "annotation of 3 features per step, but the model was trained with 5");
    }

    [TestMethod]
    public void AnyViewMayCarryTheAnnotation()
    {
        var ml = new MLContext(1);
        IDataView data = Annotated(ml, RnnAnnotationKinds.FeaturesPerStep, TestData.InputSize, NumberDataViewType.Int32);

        RnnTransformer model = ml.Regression.Trainers.Rnn(Options()).Fit(data);

        Assert.AreEqual(TestData.InputSize, model.Network.Shape.InputSize);
    }

    [TestMethod]
    public void AnnotationOfTheWrongTypeIsRefusedByTheSchemaShapeAlready()
    {
        var ml = new MLContext(1);
        IDataView data = Annotated(ml, RnnAnnotationKinds.FeaturesPerStep, 2f, NumberDataViewType.Single);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(Options()).GetOutputSchema(SchemaPropagationTests.ShapeOf(data.Schema)));

        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "expected Int32");
    }

    [TestMethod]
    public void AnnotationTheNetworkCannotTakeIsRefused()
    {
        var ml = new MLContext(1);
        IDataView data = Annotated(ml, RnnAnnotationKinds.FeaturesPerStep, 0, NumberDataViewType.Int32);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(Options()).Fit(data));

        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "annotation of 0");
    }

    [TestMethod]
    public void NegativeInputSizeIsRefusedNamingTheOption()
    {
        var ml = new MLContext(1);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(Options(inputSize: -1)).Fit(FiveColumnWindows(ml)));

        StringAssert.Contains(e.Message, "Option 'InputSize' is -1");
    }

    private static IDataView Annotated<T>(MLContext ml, string kind, T value, DataViewType type)
    {
        var definition = SchemaDefinition.Create(typeof(AnnotatedRow));
        definition["Features"].AddAnnotation(kind, value, type);
        float[][] x = TestData.Sequences(16, 4);
        return ml.Data.LoadFromEnumerable(x.Select(s => new AnnotatedRow { Features = s, Label = TestData.RunningSums(s)[^1] }), definition);
    }
}
