using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>A training that obviously cannot fit in memory is refused before it allocates, saying what it needs.</summary>
[TestClass]
public sealed class TrainingMemoryTests
{
    [TestMethod]
    public void EstimateCountsParameterCopiesAndActivations()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 8, 256, 1);
        long parameters = shape.ParameterCount;
        var adam = new RnnTrainingOptions();
        var sgd = new RnnTrainingOptions { Optimizer = RnnOptimizerKind.Sgd };
        // No batch: parameters, one gradient and Adam's two moments; plain SGD keeps no state.
        Assert.AreEqual(4 * 4 * parameters, MemoryEstimate.TrainingBytes(shape, adam, 0, 0));
        Assert.AreEqual(4 * 2 * parameters, MemoryEstimate.TrainingBytes(shape, sgd, 0, 0));
        // Activations grow with rows × steps.
        long small = MemoryEstimate.ActivationFloats(shape, 32, 100, training: true);
        Assert.AreEqual(4 * small, MemoryEstimate.ActivationFloats(shape, 64, 200, training: true));
        Assert.IsLessThan(small, MemoryEstimate.ActivationFloats(shape, 32, 100, training: false));
    }

    [TestMethod]
    public void TrainingThatDoesNotFitIsRefusedSayingWhatItNeeds()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 8, 256, 1);
        var options = new RnnTrainingOptions();
        long needed = MemoryEstimate.TrainingBytes(shape, options, 4096, 1000);
        var e = Assert.ThrowsExactly<InsufficientMemoryException>(
            () => MemoryEstimate.ThrowIfTrainingDoesNotFit(shape, options, 4096, 1000, availableBytes: needed - 1));
        StringAssert.Contains(e.Message, "on batches of 4096 rows × 1000 steps needs at least");
        StringAssert.Contains(e.Message, "Lower HiddenSize, NumberOfLayers or the batch size");
        MemoryEstimate.ThrowIfTrainingDoesNotFit(shape, options, 4096, 1000, availableBytes: needed);
    }

    [TestMethod]
    public void SessionRefusesABatchThatCannotFitBeforeAllocating()
    {
        // About 57 KB of activations per row and step: 4096 steps and as many rows as it takes to need twice this
        // machine's memory (about 200 rows on 24 GB; the inputs stay a few megabytes).
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 1, 1024, 1), seed: 1);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions());
        int rows = 64, steps = 4096;
        while (MemoryEstimate.TrainingBytes(network.Shape, new RnnTrainingOptions(), rows, steps) <= 2 * MemoryEstimate.AvailableBytes)
            rows *= 2;
        float[] inputs = new float[rows * steps];
        var lengths = Enumerable.Repeat(steps, rows).ToArray();
        float[] targets = new float[rows];
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.ThrowsExactly<InsufficientMemoryException>(() => session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets));
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.AreEqual(0L, session.StepCount);
    }
}
