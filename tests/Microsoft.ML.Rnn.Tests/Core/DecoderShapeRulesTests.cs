using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The decoder settings and the head must fit together (Model/SequenceStructureCheck.cs): a setting the head would
/// ignore, or a combination that cannot work as stated, is refused naming the setting, what was found and what would
/// work; and the core refuses decoder inputs that do not fit.
/// </summary>
[TestClass]
public sealed class DecoderShapeRulesTests
{
    private static readonly RnnNetworkShape EncoderDecoder = new(RnnCellType.Lstm, 3, 4, 2, Head: RnnHead.EncoderDecoder) { OutputLength = 3 };
    private static readonly RnnNetworkShape OneToMany = new(RnnCellType.Gru, 3, 4, 2, Head: RnnHead.OneToMany) { OutputLength = 3 };
    private static readonly RnnNetworkShape ManyToOne = new(RnnCellType.Lstm, 3, 4, 2);

    public static IEnumerable<object[]> Refused() =>
    [
        [ManyToOne with { OutputLength = 4 }, "OutputLength", "is 4 with Head ManyToOne"],
        [ManyToOne with { Head = RnnHead.ManyToMany, OutputLength = 2 }, "OutputLength", "one per input step"],
        [EncoderDecoder with { OutputLength = 0 }, "OutputLength", "from 1 to 65536"],
        [ManyToOne with { Context = RnnContext.Attention }, "Context", "which has no encoder"],
        [OneToMany with { Context = RnnContext.Projected }, "Context", "Head = EncoderDecoder"],
        [ManyToOne with { DecoderInput = RnnDecoderInput.EveryStep }, "DecoderInput", "which has no decoder"],
        [ManyToOne with { Head = RnnHead.ManyToMany, OutputFeedback = RnnOutputFeedback.Value }, "OutputFeedback", "which has no decoder"],
        [OneToMany with { DecoderInput = RnnDecoderInput.InitialStateAndEveryStep }, "DecoderInput", "EveryStep (it enters at every step)"],
        [OneToMany with { Bidirectional = true }, "Bidirectional", "forwards in time only"],
        [OneToMany with { NumberOfLayers = 2, Dropout = 0.2f }, "Dropout", "no encoder layers"],
        [EncoderDecoder with { Context = RnnContext.Attention }, "DecoderInput", "EveryStep or InitialStateAndEveryStep"],
        [EncoderDecoder with { Bidirectional = true }, "Bidirectional", "Context = Projected"],
        [EncoderDecoder with { Bidirectional = true, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.InitialStateAndEveryStep }, "Bidirectional", "2 × HiddenSize = 8"],
        [EncoderDecoder with { Context = (RnnContext)7 }, "Context", "not a defined RnnContext"],
        [EncoderDecoder with { OutputFeedback = (RnnOutputFeedback)9 }, "OutputFeedback", "not a defined RnnOutputFeedback"],
    ];

    [TestMethod]
    [DynamicData(nameof(Refused))]
    public void ShapeRefusesSettingsThatDoNotFit(RnnNetworkShape shape, string setting, string text)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new RnnNetwork(shape, 0));
        Assert.AreEqual(setting, error.ParamName);
        StringAssert.Contains(error.Message, text);
    }

    public static IEnumerable<object[]> Accepted() =>
    [
        [EncoderDecoder],
        [EncoderDecoder with { Bidirectional = true, Context = RnnContext.Projected }],
        [EncoderDecoder with { Bidirectional = true, DecoderInput = RnnDecoderInput.EveryStep }],
        [EncoderDecoder with { Bidirectional = true, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.EveryStep }],
        [EncoderDecoder with { NumberOfLayers = 2, Dropout = 0.3f, OutputFeedback = RnnOutputFeedback.Class }],
        [OneToMany with { DecoderInput = RnnDecoderInput.EveryStep, NumberOfLayers = 3 }],
    ];

    [TestMethod]
    [DynamicData(nameof(Accepted))]
    public void ShapeAcceptsCombinationsThatWork(RnnNetworkShape shape) => Assert.AreEqual(shape, new RnnNetwork(shape, 0).Shape);

    [TestMethod]
    public void OneToManyTakesOneStepPerSequence()
    {
        var computation = new RnnComputation(new RnnNetwork(OneToMany, 0));
        var error = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(new float[12], [2, 2], 2)));
        StringAssert.Contains(error.Message, "one input vector per sequence, so expected 1");
        Assert.AreEqual(2 * 3 * 2, computation.Forward(new SequenceBatch(new float[6], [1, 1], 1)).Length);
    }

    [TestMethod]
    public void BackwardNeedsTheTargetsWhenTheDecoderFeedsBack()
    {
        var network = new RnnNetwork(EncoderDecoder with { OutputFeedback = RnnOutputFeedback.Value }, 0);
        var computation = new RnnComputation(network);
        float[] input = new float[2 * 4 * 3];
        int[] lengths = [4, 2];
        var batch = new SequenceBatch(input, lengths, 4);
        float[] output = computation.Forward(batch).ToArray();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => computation.Backward(new float[output.Length], new float[network.Parameters.Length]));
        StringAssert.Contains(error.Message, "teacher forcing");

        var wrong = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(input, lengths, 4), targets: new float[5]));
        StringAssert.Contains(wrong.Message, "expected 12");
        computation.Forward(batch, targets: new float[12]);
        computation.Backward(new float[output.Length], new float[network.Parameters.Length]);
    }

    [TestMethod]
    public void TeacherForcingRefusesATargetThatIsNotAClass()
    {
        var network = new RnnNetwork(EncoderDecoder with { OutputSize = 3, OutputFeedback = RnnOutputFeedback.Class }, 0);
        var computation = new RnnComputation(network);
        var error = Assert.ThrowsExactly<ArgumentException>(() => computation.Forward(new SequenceBatch(new float[4 * 3], [4], 4), targets: [0f, 3f, 1f]));
        StringAssert.Contains(error.Message, "expected a class index 0 to 2");
    }

    [TestMethod]
    public void EvaluationRunsFreeAsScoringWhileTrainingFeedsBackTheTargets()
    {
        // Feedback into the decoder made visible: large input weights, so the fed-back value moves the outputs.
        var network = new RnnNetwork(EncoderDecoder with { DecoderInput = RnnDecoderInput.EveryStep, OutputFeedback = RnnOutputFeedback.Value }, 3);
        network.Layout.TryGet("decoder.weight_ih_l0", out ParameterTensor weight);
        foreach (ref float value in weight.In(network.Values.AsSpan()))
            value *= 20f;
        float[] input = Enumerable.Range(0, 2 * 4 * 3).Select(i => MathF.Sin(i)).ToArray(), targets = Enumerable.Range(0, 2 * 3 * 2).Select(i => MathF.Cos(i)).ToArray();
        int[] lengths = [4, 3];

        var computation = new RnnComputation(network);
        float[] free = computation.Forward(new SequenceBatch(input, lengths, 4)).ToArray();
        float[] forced = computation.Forward(new SequenceBatch(input, lengths, 4), targets: targets).ToArray();
        HeadStructure structure = network.Shape.HeadStructure;
        float freeLoss = LossFunction.Compute(RnnLoss.MeanSquaredError, structure, free, targets, lengths, 4, 2, new float[free.Length]);
        float forcedLoss = LossFunction.Compute(RnnLoss.MeanSquaredError, structure, forced, targets, lengths, 4, 2, new float[forced.Length]);
        Assert.AreNotEqual(freeLoss, forcedLoss);

        var session = new RnnTrainingSession(network, new RnnTrainingOptions());
        Assert.AreEqual(freeLoss, session.Evaluate(new SequenceBatch(input, lengths, 4), targets));
        Assert.AreEqual(forcedLoss, session.TrainStep(new SequenceBatch(input, lengths, 4), targets));
    }

    [TestMethod]
    public void StatefulTrainingIsRefusedForADecoder()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            new RnnTrainingSession(new RnnNetwork(EncoderDecoder, 0), new RnnTrainingOptions { Stateful = true }));
        StringAssert.Contains(error.Message, "set Stateful to false");
    }

    [TestMethod]
    public void DecoderParametersAreNamedAsPyTorchNamesThem()
    {
        var attention = new RnnNetwork(EncoderDecoder with { Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.EveryStep, OutputFeedback = RnnOutputFeedback.Value }, 0);
        CollectionAssert.AreEqual(
            new[] { "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "attention.weight",
                "decoder.weight_ih_l0", "decoder.weight_hh_l0", "decoder.bias_ih_l0", "decoder.bias_hh_l0", "head.weight", "head.bias" },
            attention.ParameterShapes.Select(p => p.Name).ToArray());
        // nn.LSTM(4 + 2, 4): the context (hidden 4) and the fed-back output (2) enter at every step.
        CollectionAssert.AreEqual(new[] { 16, 6 }, attention.ParameterShapes.Single(p => p.Name == "decoder.weight_ih_l0").Shape);
        CollectionAssert.AreEqual(new[] { 4, 4 }, attention.ParameterShapes.Single(p => p.Name == "attention.weight").Shape);

        // 1 vs N: the decoder is the only stack, named as the tutorial's nn.RNN.
        var oneToMany = new RnnNetwork(OneToMany, 0);
        Assert.AreEqual("rnn.weight_ih_l0", oneToMany.ParameterShapes[0].Name);
        CollectionAssert.AreEqual(new[] { 12, 3 }, oneToMany.ParameterShapes[0].Shape);

        // N vs M reading the context as its initial state only: the decoder has no input (PyTorch accepts input_size 0).
        var initialOnly = new RnnNetwork(EncoderDecoder, 0);
        CollectionAssert.AreEqual(new[] { 16, 0 }, initialOnly.ParameterShapes.Single(p => p.Name == "decoder.weight_ih_l0").Shape);
    }
}
