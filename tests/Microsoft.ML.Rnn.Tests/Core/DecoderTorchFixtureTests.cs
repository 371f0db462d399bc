using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The 1 vs N and N vs M heads against PyTorch 1.13 (fixtures from tests/fixtures/generate_seq2seq_fixtures.py, the
/// reference module tests/fixtures/seq2seq_reference.py): the teacher-forced and free-running outputs, the loss, every
/// parameter's gradient and the input gradient, and the parameters after Adam and SGD steps, within 1e-4 relative.
/// </summary>
[TestClass]
public sealed class DecoderTorchFixtureTests
{
    private const string Folder = "seq2seq";

    public static IEnumerable<object[]> Fixtures() =>
        Directory.GetFiles(Path.Combine(TorchFixture.Folder, Folder), "*.json").Select(Path.GetFileNameWithoutExtension).Order()
            .Select(n => new object[] { n! });

    [TestMethod]
    public void FixturesCoverEveryStructure()
    {
        RnnNetworkShape[] shapes = Fixtures().Select(f => TorchFixture.Load(Path.Combine(Folder, (string)f[0])).Shape).ToArray();
        foreach (RnnContext context in Enum.GetValues<RnnContext>())
            foreach (RnnDecoderInput input in Enum.GetValues<RnnDecoderInput>())
            {
                if (context == RnnContext.Attention && input == RnnDecoderInput.InitialState)
                    continue;
                foreach (RnnCellType cell in Enum.GetValues<RnnCellType>())
                    foreach (bool feedback in new[] { false, true })
                        Assert.IsTrue(shapes.Any(s => s.Head == RnnHead.EncoderDecoder && s.Context == context && s.DecoderInput == input && s.Cell == cell
                            && (s.OutputFeedback != RnnOutputFeedback.None) == feedback), $"{context} {input} {cell} feedback {feedback}");
            }

        foreach (RnnDecoderInput input in new[] { RnnDecoderInput.InitialState, RnnDecoderInput.EveryStep })
            foreach (RnnCellType cell in Enum.GetValues<RnnCellType>())
                foreach (bool feedback in new[] { false, true })
                    Assert.IsTrue(shapes.Any(s => s.Head == RnnHead.OneToMany && s.DecoderInput == input && s.Cell == cell
                        && (s.OutputFeedback != RnnOutputFeedback.None) == feedback), $"OneToMany {input} {cell} feedback {feedback}");
        foreach (RnnOutputFeedback feedback in Enum.GetValues<RnnOutputFeedback>())
            Assert.IsTrue(shapes.Any(s => s.OutputFeedback == feedback), $"feedback {feedback}");
        Assert.IsTrue(shapes.Any(s => s.Bidirectional && s.Context == RnnContext.Attention));
        Assert.IsTrue(shapes.Any(s => s.NumberOfLayers == 2 && s.Head == RnnHead.OneToMany));
    }

    [TestMethod]
    [DynamicData(nameof(Fixtures))]
    public void ForwardAndGradientsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.Load(Path.Combine(Folder, name));
        RnnNetwork network = fixture.CreateNetwork();
        RnnNetworkShape shape = network.Shape;
        int[] lengths = fixture.Lengths;
        int steps = fixture.Steps;
        float[] input = fixture.Floats("input"), targets = fixture.Floats("target");
        var computation = new RnnComputation(network);

        float[] free = computation.Forward(new SequenceBatch(input, lengths, steps)).ToArray();
        Close.AllClose(fixture.Floats("output_free"), free, "free-running output");

        float[] output = computation.Forward(new SequenceBatch(input, lengths, steps), targets: targets).ToArray();
        Close.AllClose(fixture.Floats("output"), output, "teacher-forced output");

        var dOutput = new float[output.Length];
        float loss = LossFunction.Compute(fixture.Loss, shape.HeadStructure, output, targets, lengths, steps, shape.OutputSize, dOutput);
        Close.AllClose([fixture.Root.GetProperty("loss").GetSingle()], [loss], "loss");

        var gradient = new float[network.Parameters.Length];
        var inputGradient = new float[input.Length];
        computation.Backward(dOutput, gradient, inputGradient);
        CollectionAssert.AreEqual(TorchFixture.Parameters(fixture.Root.GetProperty("gradients")).Keys.Where(k => k != "input").ToArray(),
            network.Layout.Tensors.Select(t => t.Name).ToArray(), "parameter names and order");
        fixture.AssertGradientsMatch(network, gradient, inputGradient);
    }

    [TestMethod]
    [DynamicData(nameof(Fixtures))]
    public void OptimizerStepsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.Load(Path.Combine(Folder, name));
        foreach (var run in fixture.Root.GetProperty("training").EnumerateArray())
        {
            RnnNetwork network = fixture.CreateNetwork();
            string optimizer = run.GetProperty("optimizer").GetString()!;
            RnnTrainingOptions options = fixture.TrainingOptions(run);
            var session = new RnnTrainingSession(network, options);
            float[] input = fixture.Floats("input"), targets = fixture.Floats("target");
            var losses = new List<float>();
            for (int step = 0; step < run.GetProperty("steps").GetInt32(); step++)
                losses.Add(session.TrainStep(new SequenceBatch(input, fixture.Lengths, fixture.Steps), targets));

            Close.AllClose(TorchFixture.Floats(run.GetProperty("losses")), losses.ToArray(), $"{optimizer}: losses");
            var expected = TorchFixture.Parameters(run.GetProperty("parameters"));
            var initial = TorchFixture.Parameters(fixture.Root.GetProperty("parameters"));
            var firstGradients = TorchFixture.Parameters(fixture.Root.GetProperty("gradients"));
            foreach (ParameterTensor tensor in network.Layout.Tensors)
            {
                float[] want = expected[tensor.Name], got = tensor.In(network.Parameters).ToArray();
                for (int i = 0; i < want.Length; i++)
                {
                    // Adam divides by √v + 1e-8: a gradient far below that scale (here down to 1e-9, where float32 rounding
                    // of either side is a large fraction of it) gets an update set by its rounding. Such elements are held
                    // only to Adam's bound, at most lr per step from where they started.
                    if (optimizer == "adam" && Math.Abs(firstGradients[tensor.Name][i]) < 1e-7f)
                        Assert.IsLessThanOrEqualTo(options.LearningRate * losses.Count * 1.0001f, Math.Abs(got[i] - initial[tensor.Name][i]),
                            $"{optimizer}: {tensor.Name}[{i}] moved more than Adam can");
                    else
                        Close.AllClose(want.AsSpan(i, 1), got.AsSpan(i, 1), $"{optimizer}: {tensor.Name}[{i}]");
                }
            }
        }
    }
}
