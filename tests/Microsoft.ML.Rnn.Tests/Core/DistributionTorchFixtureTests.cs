using MathNetSpecial = MathNet.Numerics.SpecialFunctions;
using MathNet.Numerics.Distributions;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The distribution heads against PyTorch 1.13 (tests/fixtures/generate_distribution_fixtures.py: Normal and Student-t
/// negative log-likelihoods through torch.distributions): outputs, loss, every parameter gradient and the input gradient,
/// and 7 optimizer runs of 3 steps each; and the likelihoods and special functions against MathNet.Numerics.
/// </summary>
[TestClass]
public sealed class DistributionTorchFixtureTests
{
    public static IEnumerable<object[]> Fixtures() => TorchFixture.DistributionFixtureNames().Select(n => new object[] { n });

    [TestMethod]
    public void FixturesCoverBothDistributionsAndHeads()
    {
        string[] names = TorchFixture.DistributionFixtureNames().ToArray();
        Assert.HasCount(12, names);
        foreach (string part in new[] { "_normal_", "_studentt_", "_many_to_one_", "_many_to_many_" })
            Assert.HasCount(6, names.Where(n => n.Contains(part)).ToArray(), part);
    }

    [TestMethod]
    [DynamicData(nameof(Fixtures))]
    public void ForwardLossAndGradientsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.LoadFrom(TorchFixture.DistributionFolder, name);
        RnnNetwork network = fixture.CreateNetwork();
        RnnNetworkShape shape = network.Shape;
        Assert.AreNotEqual(RnnDistribution.None, shape.Distribution);
        int[] lengths = fixture.Lengths;
        int steps = fixture.Steps, width = shape.OutputWidth;
        float[] input = fixture.Floats("input");
        var computation = new RnnComputation(network);
        float[] output = computation.Forward(new SequenceBatch(input, lengths, steps), false).ToArray();
        float[] expectedOutput = fixture.Floats("output");
        if (shape.Head == RnnHead.ManyToMany)
            for (int b = 0; b < lengths.Length; b++)
                Close.AllClose(expectedOutput.AsSpan(b * steps * width, lengths[b] * width), output.AsSpan(b * steps * width, lengths[b] * width), $"output of sequence {b}");
        else
            Close.AllClose(expectedOutput, output, "output");

        var dOutput = new float[output.Length];
        float loss = LossFunction.Compute(fixture.Loss, shape.HeadStructure, output, fixture.Floats("target"), lengths, steps, shape.OutputSize, dOutput);
        Close.AllClose([fixture.Root.GetProperty("loss").GetSingle()], [loss], "loss");

        var gradient = new float[network.Parameters.Length];
        var inputGradient = new float[input.Length];
        computation.Backward(dOutput, gradient, inputGradient);
        fixture.AssertGradientsMatch(network, gradient, inputGradient);
    }

    [TestMethod]
    [DynamicData(nameof(Fixtures))]
    public void OptimizerStepsMatchPyTorch(string name)
    {
        TorchFixture fixture = TorchFixture.LoadFrom(TorchFixture.DistributionFolder, name);
        var runs = fixture.Root.GetProperty("training").EnumerateArray().ToArray();
        Assert.HasCount(7, runs);
        foreach (var run in runs)
        {
            RnnNetwork network = fixture.CreateNetwork();
            string optimizer = run.GetProperty("optimizer").GetString()!;
            RnnTrainingOptions options = fixture.TrainingOptions(run);
            var session = new RnnTrainingSession(network, options);
            float[] input = fixture.Floats("input"), targets = fixture.Floats("target");
            string what = $"{optimizer} lr {options.LearningRate} momentum {options.Momentum} decay {options.WeightDecay} clip {options.GradientClipNorm}";
            var losses = new List<float>();
            for (int step = 0; step < run.GetProperty("steps").GetInt32(); step++)
                losses.Add(session.TrainStep(new SequenceBatch(input, fixture.Lengths, fixture.Steps), targets));

            Close.AllClose(TorchFixture.Floats(run.GetProperty("losses")), losses.ToArray(), $"{what}: losses");
            var expected = TorchFixture.Parameters(run.GetProperty("parameters"));
            foreach (ParameterTensor tensor in network.Layout.Tensors)
                Close.AllClose(expected[tensor.Name], tensor.In(network.Parameters), $"{what}: {tensor.Name}");
        }
    }

    [TestMethod]
    public void NegativeLogLikelihoodsMatchMathNetDensities()
    {
        foreach (double y in new[] { -3.5, -0.2, 0, 1.3, 12 })
            foreach (double mu in new[] { -1.0, 0.4 })
                foreach (double raw in new[] { -25.0, -2, 0.3, 4, 30 })
                {
                    double sigma = DistributionParameters.Scale(raw);
                    double nll = DistributionParameters.NormalNegativeLogLikelihood(y, mu, raw, out _, out _);
                    Assert.AreEqual(-Normal.PDFLn(mu, sigma, y), nll, 1e-9 * Math.Max(1, Math.Abs(nll)), $"Normal y {y} mu {mu} raw {raw}");
                    foreach (double rawNu in new[] { -10.0, 0, 2.5, 40 })
                    {
                        double nu = DistributionParameters.DegreesOfFreedom(rawNu);
                        double t = DistributionParameters.StudentTNegativeLogLikelihood(y, mu, raw, rawNu, out _, out _, out _);
                        Assert.AreEqual(-StudentT.PDFLn(mu, sigma, nu, y), t, 1e-8 * Math.Max(1, Math.Abs(t)), $"Student-t y {y} mu {mu} raw {raw} nu {nu}");
                    }
                }
    }

    [TestMethod]
    public void LikelihoodDerivativesMatchFiniteDifferencesInDoublePrecision()
    {
        const double h = 1e-6;
        foreach (double y in new[] { -2.0, 0.1, 3 })
            foreach (double raw in new[] { -1.0, 0.5 })
                foreach (double rawNu in new[] { -1.0, 1.5 })
                {
                    double mu = 0.3;
                    DistributionParameters.NormalNegativeLogLikelihood(y, mu, raw, out double dMu, out double dRaw);
                    Assert.AreEqual((N(y, mu + h, raw) - N(y, mu - h, raw)) / (2 * h), dMu, 1e-6);
                    Assert.AreEqual((N(y, mu, raw + h) - N(y, mu, raw - h)) / (2 * h), dRaw, 1e-6);
                    DistributionParameters.StudentTNegativeLogLikelihood(y, mu, raw, rawNu, out double tMu, out double tRaw, out double tNu);
                    Assert.AreEqual((T(y, mu + h, raw, rawNu) - T(y, mu - h, raw, rawNu)) / (2 * h), tMu, 1e-6);
                    Assert.AreEqual((T(y, mu, raw + h, rawNu) - T(y, mu, raw - h, rawNu)) / (2 * h), tRaw, 1e-6);
                    Assert.AreEqual((T(y, mu, raw, rawNu + h) - T(y, mu, raw, rawNu - h)) / (2 * h), tNu, 1e-6);
                }

        static double N(double y, double mu, double raw) => DistributionParameters.NormalNegativeLogLikelihood(y, mu, raw, out _, out _);
        static double T(double y, double mu, double raw, double rawNu) =>
            DistributionParameters.StudentTNegativeLogLikelihood(y, mu, raw, rawNu, out _, out _, out _);
    }

    [TestMethod]
    public void SpecialFunctionsMatchMathNet()
    {
        foreach (double x in new[] { 0.01, 0.5, 1, 1.5, 2, 3.7, 10, 25.5, 1e3, 1e6 })
        {
            Assert.AreEqual(MathNetSpecial.GammaLn(x), Microsoft.ML.Rnn.Core.SpecialFunctions.LogGamma(x), 1e-12 * Math.Max(1, Math.Abs(MathNetSpecial.GammaLn(x))), $"log Γ({x})");
            Assert.AreEqual(MathNetSpecial.DiGamma(x), Microsoft.ML.Rnn.Core.SpecialFunctions.Digamma(x), 1e-12 * Math.Max(1, Math.Abs(MathNetSpecial.DiGamma(x))), $"ψ({x})");
        }
    }

    [TestMethod]
    public void APointLossOnADistributionNetworkAndTheReverseAreRefused()
    {
        var normal = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 2, 3, 1) { Distribution = RnnDistribution.Normal }, seed: 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new RnnTrainingSession(normal, new RnnTrainingOptions { Loss = RnnLoss.MeanSquaredError }));
        StringAssert.Contains(e.Message, "NormalNegativeLogLikelihood");
        var point = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 2, 3, 1), seed: 1);
        e = Assert.ThrowsExactly<ArgumentException>(() => new RnnTrainingSession(point, new RnnTrainingOptions { Loss = RnnLoss.StudentTNegativeLogLikelihood }));
        StringAssert.Contains(e.Message, "Distribution StudentT");
        Assert.AreEqual(3, new RnnNetworkShape(RnnCellType.Gru, 2, 3, 1) { Distribution = RnnDistribution.StudentT }.OutputWidth);
        Assert.AreEqual(2, point.OutputLength(5) * 2);
        Assert.AreEqual(2, normal.OutputLength(5));
    }
}
