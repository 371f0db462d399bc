using System.Diagnostics;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// A training step is cancelled within a time step, not at its end, and within a block of a matrix product over all
/// steps; a cancelled step changes nothing. One batch of 4096 rows × 100 steps of LSTM 256 once delayed cancellation by
/// 9.8 s, and, after the time steps checked, an input projection over all steps still ran on for 0.8 s.
/// </summary>
[TestClass]
public sealed class TrainStepCancellationTests
{
    // LSTM 512, 128 rows × 200 steps, one thread: seconds of arithmetic in ~0.7 GB of buffers (the report's batch
    // of 1024 rows of LSTM 256 takes about as long in twice the memory, which this shared test machine may not spare).
    private const int Rows = 128, Steps = 200, Inputs = 8;

    [TestMethod]
    [DoNotParallelize] // times a step
    public void CancelledStepStopsWithinATimeStepAndChangesNothing()
    {
        // The step must be much longer than the bound below: steps double (up to 4×) until an uncancelled step (on a
        // copy of the network) takes over 0.6 s, so the test means as much on a faster machine.
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, Inputs, 512, 1), seed: 5);
        float[] targets = Data.Random(Rows, seed: 7);
        float[] parameters = network.Parameters.ToArray();
        int steps = Steps;
        float[] inputs;
        int[] lengths;
        double full;
        while (true)
        {
            inputs = Data.Random(Rows * steps * Inputs, seed: 6);
            lengths = Enumerable.Repeat(steps, Rows).ToArray();
            var copy = new RnnTrainingSession(network.Clone(), new RnnTrainingOptions { Threads = 1 });
            copy.TrainStep(new SequenceBatch(inputs, lengths, steps), targets); // grows the buffers
            var clock = Stopwatch.StartNew();
            copy.TrainStep(new SequenceBatch(inputs, lengths, steps), targets);
            full = clock.Elapsed.TotalMilliseconds;
            if (full > 600.0 || steps >= 4 * Steps)
                break;
            steps *= 2;
        }

        Assert.IsGreaterThan(600.0, full, $"an uncancelled step takes {full:F0} ms");
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = 1 });
        Run(session, inputs, lengths, targets, cancelAfterMilliseconds: 200, steps); // grows the buffers
        double latency = Run(session, inputs, lengths, targets, cancelAfterMilliseconds: 50, steps);
        Assert.IsLessThan(300.0, latency, $"the step stopped {latency:F0} ms after it was cancelled (uncancelled: {full:F0} ms)");
        CollectionAssert.AreEqual(parameters, network.Parameters.ToArray(), "a cancelled step changes no parameter");
        Assert.AreEqual(0L, session.StepCount);
    }

    [TestMethod]
    [DoNotParallelize] // times a step
    public void CancelledStepStopsWithinTheInputProjection()
    {
        // 16 rows (one block) × 200 steps × 4096 inputs into LSTM 512: the input projection of all steps is one product
        // of 3200 × 2048 × 4096 multiply-adds, which the 50 ms cancel below lands in (it ran on for 0.8 s past it before
        // the products checked the token).
        const int rows = 16, inputs = 4096, gateWidth = 4 * 512;
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, inputs, 512, 1), seed: 5);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = 1 });
        float[] targets = Data.Random(rows, seed: 7);
        float[] parameters = network.Parameters.ToArray();

        // The product alone must be much longer than the bound below: steps double (up to 4×) until it is, so the test
        // means as much on a faster machine.
        int steps = Steps;
        float[] sequences;
        double product;
        while (true)
        {
            sequences = Data.Random(rows * steps * inputs, seed: 6);
            var clock = Stopwatch.StartNew();
            Gemm.MultiplyTransposedB(rows * steps, gateWidth, inputs, sequences, inputs, parameters, inputs, new float[rows * steps * gateWidth], gateWidth, accumulate: false);
            product = clock.Elapsed.TotalMilliseconds;
            if (product > 500.0 || steps >= 4 * Steps)
                break;
            steps *= 2;
        }

        Assert.IsGreaterThan(500.0, product, $"the input projection takes {product:F0} ms");
        int[] lengths = Enumerable.Repeat(steps, rows).ToArray();

        Run(session, sequences, lengths, targets, cancelAfterMilliseconds: 200, steps); // grows the buffers
        double latency = Run(session, sequences, lengths, targets, cancelAfterMilliseconds: 50, steps);
        Assert.IsLessThan(300.0, latency, $"the step stopped {latency:F0} ms after it was cancelled (the input projection takes {product:F0} ms)");
        CollectionAssert.AreEqual(parameters, network.Parameters.ToArray(), "a cancelled step changes no parameter");
        Assert.AreEqual(0L, session.StepCount);
    }

    [TestMethod]
    public void CancelledEvaluationThrows()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 2, 4, 1), seed: 5);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions());
        float[] inputs = Data.Random(3 * 4 * 2, seed: 6);
        int[] lengths = [4, 3, 2];
        var cancelled = new CancellationToken(canceled: true);
        Assert.ThrowsExactly<OperationCanceledException>(() => session.Evaluate(new SequenceBatch(inputs, lengths, 4), new float[3], cancelled));
        Assert.ThrowsExactly<OperationCanceledException>(() => session.TrainStep(new SequenceBatch(inputs, lengths, 4), new float[3], cancellationToken: cancelled));
        Assert.IsTrue(float.IsFinite(session.TrainStep(new SequenceBatch(inputs, lengths, 4), new float[3])));
    }

    /// <summary>Runs a step cancelled after <paramref name="cancelAfterMilliseconds"/>; returns how long it ran on after that, in ms.</summary>
    private static double Run(RnnTrainingSession session, float[] inputs, int[] lengths, float[] targets, int cancelAfterMilliseconds, int steps = Steps)
    {
        using var source = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        source.CancelAfter(cancelAfterMilliseconds);
        Assert.ThrowsExactly<OperationCanceledException>(() => session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets, cancellationToken: source.Token));
        return clock.Elapsed.TotalMilliseconds - cancelAfterMilliseconds;
    }
}
