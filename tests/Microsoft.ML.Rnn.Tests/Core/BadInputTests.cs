using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>Wrong sizes, lengths, names and values get an exception that says which and what was expected.</summary>
[TestClass]
public sealed class BadInputTests
{
    private static readonly RnnNetworkShape Shape = new(RnnCellType.Lstm, 3, 4, 2);

    [TestMethod]
    [DataRow(0, 4, 2, "InputSize")]
    [DataRow(3, 0, 2, "HiddenSize")]
    [DataRow(3, 4, -1, "OutputSize")]
    public void ShapeRejectsNonPositiveSizes(int input, int hidden, int output, string name)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new RnnNetworkShape(RnnCellType.Gru, input, hidden, output).Validate());
        Assert.AreEqual(name, error.ParamName);
    }

    [TestMethod]
    [DataRow(-0.1f)]
    [DataRow(1f)]
    [DataRow(float.NaN)]
    public void ShapeRejectsDropoutOutsideUnitInterval(float dropout)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new RnnNetwork(Shape with { Dropout = dropout }, 0));
        StringAssert.Contains(error.Message, "[0, 1)");
    }

    [TestMethod]
    public void BatchRejectsWrongInputLength()
    {
        var computation = new RnnComputation(new RnnNetwork(Shape, 0));
        var error = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(new float[17], [3, 3], 3)));
        StringAssert.Contains(error.Message, "expected batch 2 × steps 3 × input size 3 = 18");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(4)]
    [DataRow(-1)]
    public void BatchRejectsLengthsOutOfRange(int length)
    {
        var computation = new RnnComputation(new RnnNetwork(Shape, 0));
        var error = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(new float[18], [3, length], 3)));
        StringAssert.Contains(error.Message, $"Sequence 1 has length {length}; expected 1 to 3 steps");
    }

    [TestMethod]
    public void ForwardRejectsWrongInitialState()
    {
        var computation = new RnnComputation(new RnnNetwork(Shape, 0));
        var error = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(new float[18], [3, 3], 3), initialHidden: new float[7]));
        StringAssert.Contains(error.Message, "expected 8");
    }

    [TestMethod]
    public void BackwardRejectsWrongGradientBuffers()
    {
        var computation = new RnnComputation(new RnnNetwork(Shape, 0));
        Assert.ThrowsExactly<InvalidOperationException>(() => computation.Backward(new float[4], new float[1000]));
        computation.Forward(new SequenceBatch(new float[18], [3, 3], 3));
        Assert.ThrowsExactly<ArgumentException>(() => computation.Backward(new float[3], new float[computation.Network.Parameters.Length]));
        Assert.ThrowsExactly<ArgumentException>(() => computation.Backward(new float[4], new float[5]));
    }

    [TestMethod]
    public void PredictRejectsPartialStepsAndWrongOutput()
    {
        var network = new RnnNetwork(Shape, 0);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.Predict(new float[7], new float[2])).Message, "positive multiple of the input size 3");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.Predict([], new float[2])).Message, "positive multiple");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.Predict(new float[6], new float[3])).Message, "expected 2");
    }

    [TestMethod]
    public void ImportRejectsUnknownMissingAndMisshapenParameters()
    {
        var network = new RnnNetwork(Shape, 0);
        float[] before = network.Parameters.ToArray();
        var parameters = network.ExportParameters().ToDictionary(p => p.Key, p => p.Value);

        var unknown = new Dictionary<string, float[]>(parameters) { ["rnn.weight_ih_l1"] = new float[48] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.ImportParameters(unknown)).Message, "Unknown parameter 'rnn.weight_ih_l1'");

        var missing = new Dictionary<string, float[]>(parameters);
        missing.Remove("head.bias");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.ImportParameters(missing)).Message, "Missing parameters: head.bias");

        var misshapen = new Dictionary<string, float[]>(parameters) { ["rnn.weight_hh_l0"] = new float[15] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.ImportParameters(misshapen)).Message, "has 15 values; expected 64 (shape [16, 4])");

        var notFinite = new Dictionary<string, float[]>(parameters) { ["head.bias"] = [0f, float.NaN] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => network.ImportParameters(notFinite)).Message, "'head.bias' holds NaN at index 1");

        CollectionAssert.AreEqual(before, network.Parameters.ToArray(), "a rejected import must change nothing");
    }

    [TestMethod]
    public void TrainingRejectsWrongTargetsAndClassIndices()
    {
        var session = new RnnTrainingSession(new RnnNetwork(Shape with { OutputSize = 3 }, 0), new RnnTrainingOptions { Loss = RnnLoss.SoftmaxCrossEntropy });
        var batch = new float[18];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => session.TrainStep(new SequenceBatch(batch, [3, 3], 3), new float[3])).Message, "expected 2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => session.TrainStep(new SequenceBatch(batch, [3, 3], 3), [0f, 3f])).Message, "Target 1 is 3; expected a class index 0 to 2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => session.TrainStep(new SequenceBatch(batch, [3, 3], 3), [0.5f, 1f])).Message, "Target 0 is 0.5");
    }

    [TestMethod]
    [DataRow(nameof(RnnTrainingOptions.LearningRate), 0f)]
    [DataRow(nameof(RnnTrainingOptions.Momentum), 1f)]
    [DataRow(nameof(RnnTrainingOptions.WeightDecay), -1f)]
    [DataRow(nameof(RnnTrainingOptions.GradientClipNorm), float.NaN)]
    public void TrainingOptionsOutOfRangeAreNamed(string option, float value)
    {
        var options = new RnnTrainingOptions();
        typeof(RnnTrainingOptions).GetProperty(option)!.SetValue(options, value);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new RnnTrainingSession(new RnnNetwork(Shape, 0), options));
        Assert.AreEqual(option, error.ParamName);
    }

    [TestMethod]
    public void NonFiniteLossStopsNamingTheStepAndLeavesTheWeights()
    {
        var network = new RnnNetwork(Shape, 0);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions());
        float[] inputs = Data.Random(18, seed: 1);
        session.TrainStep(new SequenceBatch(inputs, [3, 3], 3), [0f, 1f, 0f, 1f]);
        float[] before = network.Parameters.ToArray();

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => session.TrainStep(new SequenceBatch(inputs, [3, 3], 3), [0f, float.PositiveInfinity, 0f, 1f]));
        StringAssert.Contains(error.Message, "Training step 2: the loss is");
        CollectionAssert.AreEqual(before, network.Parameters.ToArray());

        inputs[4] = float.NaN;
        error = Assert.ThrowsExactly<InvalidOperationException>(() => session.TrainStep(new SequenceBatch(inputs, [3, 3], 3), [0f, 1f, 0f, 1f]));
        StringAssert.Contains(error.Message, "Training step 2");
        CollectionAssert.AreEqual(before, network.Parameters.ToArray());
        Assert.AreEqual(1L, session.StepCount);
    }
}
