using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The core against PyTorch 1.13 (fixtures from tests/fixtures/generate_torch_fixtures.py): outputs, final states,
/// loss, every parameter gradient and the input gradient, and parameters after optimizer steps, within 1e-4 relative.
/// </summary>
[TestClass]
public sealed class TorchFixtureTests
{
    public static IEnumerable<object[]> Fixtures() => TorchFixture.ModelFixtureNames().Select(n => new object[] { n });

    /// <summary>The fixtures that carry optimizer runs: one per cell, layer count and direction.</summary>
    public static IEnumerable<object[]> TrainingFixtures() =>
        TorchFixture.ModelFixtureNames().Where(n => TorchFixture.Load(n).Root.GetProperty("training").GetArrayLength() > 0).Select(n => new object[] { n });

    [TestMethod]
    public void FixturesCoverEveryConfiguration()
    {
        Assert.HasCount(96, Fixtures().ToList());
        Assert.HasCount(16, TrainingFixtures().ToList());
    }

    [TestMethod]
    [DynamicData(nameof(Fixtures))]
    public void ForwardAndGradientsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.Load(name);
        RnnNetwork network = fixture.CreateNetwork();
        RnnNetworkShape shape = network.Shape;
        int[] lengths = fixture.Lengths;
        int steps = fixture.Steps, outputs = shape.OutputSize;
        float[] input = fixture.Floats("input");
        var computation = new RnnComputation(network);
        float[] output = computation.Forward(new SequenceBatch(input, lengths, steps), false, fixture.FloatsOrEmpty("h0"), fixture.FloatsOrEmpty("c0")).ToArray();

        float[] expectedOutput = fixture.Floats("output");
        if (shape.Head == RnnHead.ManyToMany)
            for (int b = 0; b < lengths.Length; b++)
            {
                int real = lengths[b] * outputs;
                Close.AllClose(expectedOutput.AsSpan(b * steps * outputs, real), output.AsSpan(b * steps * outputs, real), $"output of sequence {b}");
            }
        else
            Close.AllClose(expectedOutput, output, "output");
        Close.AllClose(fixture.Floats("h_n"), computation.FinalHidden, "h_n");
        if (shape.Cell == RnnCellType.Lstm)
            Close.AllClose(fixture.Floats("c_n"), computation.FinalCell, "c_n");

        var dOutput = new float[output.Length];
        float loss = LossFunction.Compute(fixture.Loss, shape.HeadStructure, output, fixture.Floats("target"), lengths, steps, outputs, dOutput);
        Close.AllClose([fixture.Root.GetProperty("loss").GetSingle()], [loss], "loss");

        var gradient = new float[network.Parameters.Length];
        var inputGradient = new float[input.Length];
        computation.Backward(dOutput, gradient, inputGradient);
        fixture.AssertGradientsMatch(network, gradient, inputGradient);
    }

    [TestMethod]
    [DynamicData(nameof(TrainingFixtures))]
    public void OptimizerStepsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.Load(name);
        foreach (var run in fixture.Root.GetProperty("training").EnumerateArray())
        {
            RnnNetwork network = fixture.CreateNetwork();
            string optimizer = run.GetProperty("optimizer").GetString()!;
            RnnTrainingOptions options = fixture.TrainingOptions(run);
            var session = new RnnTrainingSession(network, options);
            float[] input = fixture.Floats("input"), targets = fixture.Floats("target"), h0 = fixture.FloatsOrEmpty("h0"), c0 = fixture.FloatsOrEmpty("c0");
            string what = $"{optimizer} lr {options.LearningRate} momentum {options.Momentum} decay {options.WeightDecay} clip {options.GradientClipNorm}";
            var losses = new List<float>();
            for (int step = 0; step < run.GetProperty("steps").GetInt32(); step++)
                losses.Add(session.TrainStep(new SequenceBatch(input, fixture.Lengths, fixture.Steps), targets, h0, c0));

            Close.AllClose(TorchFixture.Floats(run.GetProperty("losses")), losses.ToArray(), $"{what}: losses");
            var expected = TorchFixture.Parameters(run.GetProperty("parameters"));
            foreach (ParameterTensor tensor in network.Layout.Tensors)
                Close.AllClose(expected[tensor.Name], tensor.In(network.Parameters), $"{what}: {tensor.Name}");
        }
    }
}
