using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// A training that obviously cannot fit in memory is refused before it allocates, saying what it needs; once warm, an
/// encoder–decoder's training step allocates nothing.
/// </summary>
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

    [TestMethod]
    [DoNotParallelize] // counts every thread's allocations
    [DataRow(RnnContext.Attention, RnnDecoderInput.EveryStep, RnnOutputFeedback.None, DisplayName = "attention")]
    [DataRow(RnnContext.Attention, RnnDecoderInput.InitialStateAndEveryStep, RnnOutputFeedback.Class, DisplayName = "attention, class fed back")]
    [DataRow(RnnContext.LastState, RnnDecoderInput.EveryStep, RnnOutputFeedback.Value, DisplayName = "last state, value fed back")]
    [DataRow(RnnContext.Projected, RnnDecoderInput.InitialState, RnnOutputFeedback.None, DisplayName = "projected")]
    public void EncoderDecoderTrainingStepAllocatesNothingAfterWarmUp(RnnContext context, RnnDecoderInput decoderInput, RnnOutputFeedback feedback)
    {
        // Batch 40, 2 layers with dropout between the encoder's: two blocks of rows, on one thread or two. With feedback
        // the step trains on the previous targets (teacher forcing).
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 4, 16, 3, 2, Head: RnnHead.EncoderDecoder, Dropout: 0.2f)
        {
            OutputLength = 5, Context = context, DecoderInput = decoderInput, OutputFeedback = feedback,
        };
        bool classes = feedback != RnnOutputFeedback.Value;
        int rows = 40, steps = 9;
        float[] inputs = Data.Random(rows * steps * 4, seed: 25);
        float[] targets = classes
            ? Enumerable.Range(0, rows * shape.OutputLength).Select(i => (float)(i * 7 % 3)).ToArray()
            : Data.Random(rows * shape.OutputLength * 3, seed: 26);
        int[] lengths = Enumerable.Range(0, rows).Select(i => 1 + i % steps).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var session = new RnnTrainingSession(new RnnNetwork(shape, seed: 24), new RnnTrainingOptions
            {
                Threads = threads, Loss = classes ? RnnLoss.SoftmaxCrossEntropy : RnnLoss.MeanSquaredError, GradientClipNorm = 1f,
            });
            session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets);
            // One thread: this thread's allocations. Two: every thread's, since the worker pool runs a block; then the
            // test host's own threads count too, so take the least over a few windows of 5 steps: a per-step allocation
            // shows in every window, the host's and the runtime's occasional work (tier-up) does not.
            long least = long.MaxValue;
            for (int window = 0; window < 20 && least > 0; window++)
            {
                long before = Allocated(threads);
                for (int i = 0; i < 5; i++)
                    session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets);
                least = Math.Min(least, Allocated(threads) - before);
            }

            Assert.AreEqual(0L, least, $"{threads} thread(s): bytes allocated by 5 training steps");
        }
    }

    private static long Allocated(int threads) => threads == 1 ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);
}
