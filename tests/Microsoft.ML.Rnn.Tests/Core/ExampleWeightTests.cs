using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// Per-row weights in the loss against what they mean: a row weighted 2 is that row twice, a row weighted 0 is no row
/// (same loss and same gradient, to float tolerance), all weights 1 is the unweighted mean bit for bit.
/// </summary>
[TestClass]
public sealed class ExampleWeightTests
{
    private const int Steps = 3, InputSize = 2;

    public static IEnumerable<object[]> Cases() =>
    [
        [RnnLoss.MeanSquaredError, RnnHead.ManyToOne],
        [RnnLoss.MeanSquaredError, RnnHead.ManyToMany],
        [RnnLoss.BinaryCrossEntropyWithLogits, RnnHead.ManyToMany],
        [RnnLoss.SoftmaxCrossEntropy, RnnHead.ManyToOne],
        [RnnLoss.SoftmaxCrossEntropy, RnnHead.ManyToMany],
    ];

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void WeightTwoIsTheRowTwiceAndWeightZeroIsNoRow(RnnLoss loss, RnnHead head)
    {
        var rows = Rows.Create(loss, head, count: 3, seed: 5);
        (float weightedLoss, float[] weightedGradient) = Step(loss, head, rows.Batch([0, 1, 2]), weights: [2f, 1f, 0f]);
        (float duplicatedLoss, float[] duplicatedGradient) = Step(loss, head, rows.Batch([0, 0, 1]), weights: []);

        Close.AllClose([duplicatedLoss], [weightedLoss], "loss");
        Close.AllClose(duplicatedGradient, weightedGradient, "gradient");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void WeightsOfOneAreTheUnweightedMeanBitForBit(RnnLoss loss, RnnHead head)
    {
        var rows = Rows.Create(loss, head, count: 3, seed: 6);
        (float weightedLoss, float[] weightedGradient) = Step(loss, head, rows.Batch([0, 1, 2]), weights: [1f, 1f, 1f]);
        (float plainLoss, float[] plainGradient) = Step(loss, head, rows.Batch([0, 1, 2]), weights: []);

        Assert.AreEqual(plainLoss, weightedLoss);
        CollectionAssert.AreEqual(plainGradient, weightedGradient);
    }

    [TestMethod]
    public void AllWeightsZeroGiveNoLossAndNoGradient()
    {
        var rows = Rows.Create(RnnLoss.MeanSquaredError, RnnHead.ManyToMany, count: 2, seed: 7);
        (float loss, float[] gradient) = Step(RnnLoss.MeanSquaredError, RnnHead.ManyToMany, rows.Batch([0, 1]), weights: [0f, 0f]);

        Assert.AreEqual(0f, loss);
        Assert.IsTrue(gradient.All(g => g == 0f));
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(-1f)]
    [DataRow(float.PositiveInfinity)]
    public void BadWeightsAreRefused(float bad)
    {
        var rows = Rows.Create(RnnLoss.MeanSquaredError, RnnHead.ManyToOne, count: 2, seed: 8);
        var error = Assert.ThrowsExactly<ArgumentException>(() => Step(RnnLoss.MeanSquaredError, RnnHead.ManyToOne, rows.Batch([0, 1]), weights: [1f, bad]));
        StringAssert.Contains(error.Message, "Row weight 1");
        Assert.ThrowsExactly<ArgumentException>(() => Step(RnnLoss.MeanSquaredError, RnnHead.ManyToOne, rows.Batch([0, 1]), weights: [1f]));
    }

    /// <summary>One SGD step from the same initial network; returns the loss before it and the gradient.</summary>
    private static (float Loss, float[] Gradient) Step(RnnLoss loss, RnnHead head, (float[] Inputs, int[] Lengths, float[] Targets) batch, float[] weights)
    {
        var network = new RnnNetwork(Shape(loss, head), seed: 11);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Loss = loss, Optimizer = RnnOptimizerKind.Sgd, LearningRate = 0.1f, Threads = 1 });
        float value = session.TrainStep(new SequenceBatch(batch.Inputs, batch.Lengths, Steps), batch.Targets, rowWeights: weights);
        return (value, session.Gradients.ToArray());
    }

    private static RnnNetworkShape Shape(RnnLoss loss, RnnHead head) =>
        new(RnnCellType.Lstm, InputSize, HiddenSize: 4, OutputSize: loss == RnnLoss.SoftmaxCrossEntropy ? 3 : 2, Head: head);

    /// <summary>Rows of different lengths with their targets, assembled into batches in any order (repeats allowed).</summary>
    private sealed record Rows(float[][] Inputs, int[] Lengths, float[][] Targets)
    {
        public static Rows Create(RnnLoss loss, RnnHead head, int count, int seed)
        {
            var random = new Random(seed);
            RnnNetworkShape shape = Shape(loss, head);
            int targetsPerRow = LossFunction.TargetLength(loss, shape.HeadStructure, 1, Steps, shape.OutputSize);
            var inputs = new float[count][];
            var lengths = new int[count];
            var targets = new float[count][];
            for (int r = 0; r < count; r++)
            {
                lengths[r] = r == 1 ? Steps - 1 : Steps;
                inputs[r] = Data.Random(Steps * InputSize, seed * 10 + r);
                inputs[r].AsSpan(lengths[r] * InputSize).Clear();
                targets[r] = loss switch
                {
                    RnnLoss.SoftmaxCrossEntropy => Enumerable.Range(0, targetsPerRow).Select(_ => (float)random.Next(shape.OutputSize)).ToArray(),
                    RnnLoss.BinaryCrossEntropyWithLogits => Enumerable.Range(0, targetsPerRow).Select(_ => (float)random.Next(2)).ToArray(),
                    _ => Data.Random(targetsPerRow, seed * 100 + r),
                };
            }

            return new Rows(inputs, lengths, targets);
        }

        public (float[] Inputs, int[] Lengths, float[] Targets) Batch(int[] rows) =>
            (rows.SelectMany(r => Inputs[r]).ToArray(), rows.Select(r => Lengths[r]).ToArray(), rows.SelectMany(r => Targets[r]).ToArray());
    }
}
