using System.Diagnostics;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// A large product stops soon after its token is cancelled, on one thread or split over two, and the threads that ran
/// it are fine for the next product. Before, a weight gradient such as <c>dW_hh = dGᵀ·H_prev</c> over all steps of a
/// large block ran to its end (a second or more) before the pass looked at the token again.
/// </summary>
[TestClass]
public sealed class GemmCancellationTests
{
    // C = Aᵀ·B as for a weight gradient, 4096 × 4096 summed over 4096 rows per thread: an uncancelled product takes
    // well over a second whether it is split or not, in under 500 MB.
    private const int M = 4096, N = 4096, RowsPerThread = 4096;

    // The product that shows the threads are fine afterwards: large enough to be split, short enough to run twice.
    private const int CheckRows = 256;

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DoNotParallelize] // times products
    public void CancelledProductStopsWithinTheBoundAndTheThreadsStayHealthy(int threads)
    {
        if (threads > 1)
        {
            Assert.IsGreaterThanOrEqualTo(threads, ParallelWorkers.MaxParallelism, "this test needs two cores, as every machine of this project has");
        }

        // Rows double (up to 4×) until the uncancelled product takes over a second, so the bound below means something
        // on a faster machine too (AVX-512 runs the first size in under half a second on two threads).
        int rows = RowsPerThread * threads;
        float[] a, b, c = new float[M * N];
        double uncancelled;
        while (true)
        {
            a = Random(rows * M, seed: 1);
            b = Random(rows * N, seed: 2);
            var clock = Stopwatch.StartNew();
            Multiply(rows, a, b, c, threads, CancellationToken.None);
            uncancelled = clock.Elapsed.TotalMilliseconds;
            if (uncancelled > 1000.0 || rows >= 4 * RowsPerThread * threads)
                break;
            rows *= 2;
        }

        Assert.IsGreaterThan(1000.0, uncancelled, $"the uncancelled product takes {uncancelled:F0} ms");
        Assert.AreEqual(threads, PlannedThreads(rows, threads), "the product is split over every thread asked for");
        Assert.AreEqual(threads, PlannedThreads(CheckRows, threads), "the check is split over every thread asked for");
        float[] expected = new float[M * N];
        Multiply(CheckRows, a, b, expected, threads, CancellationToken.None);

        double latency = CancelledRun(rows, a, b, c, threads, cancelAfterMilliseconds: 50);
        Assert.IsLessThan(150.0, latency, $"the product stopped {latency:F1} ms after it was cancelled (uncancelled: {uncancelled:F0} ms)");

        // The threads that threw (a worker's exception reaches the caller) run the next product to the same bits.
        float[] again = new float[M * N];
        Array.Fill(again, float.NaN);
        Multiply(CheckRows, a, b, again, threads, CancellationToken.None);
        CollectionAssert.AreEqual(expected, again, "a product after a cancelled one gives what it gave before");
    }

    /// <summary>Runs the product with a token cancelled after <paramref name="cancelAfterMilliseconds"/>; returns how long it ran on after the cancel, in ms.</summary>
    private static double CancelledRun(int rows, float[] a, float[] b, float[] c, int threads, int cancelAfterMilliseconds)
    {
        using var source = new CancellationTokenSource();
        long cancelledAt = 0;
        using var timer = new Timer(
            _ =>
            {
                // The time is taken before the cancel, so a product that stops at once cannot seem to stop before it.
                Volatile.Write(ref cancelledAt, Stopwatch.GetTimestamp());
                source.Cancel();
            },
            null,
            cancelAfterMilliseconds,
            Timeout.Infinite);
        Assert.ThrowsExactly<OperationCanceledException>(() => Multiply(rows, a, b, c, threads, source.Token));
        long stoppedAt = Stopwatch.GetTimestamp();
        return Stopwatch.GetElapsedTime(Volatile.Read(ref cancelledAt), stoppedAt).TotalMilliseconds;
    }

    /// <summary>C = Aᵀ·B over the first <paramref name="rows"/> rows of A (rows × M) and B (rows × N).</summary>
    private static void Multiply(int rows, float[] a, float[] b, float[] c, int threads, CancellationToken cancellation) =>
        Gemm.MultiplyTransposedA(M, N, rows, a, M, b, N, c, N, accumulate: false, threads, cancellation);

    private static unsafe int PlannedThreads(int rows, int maxThreads)
    {
        var problem = new GemmProblem(M, N, rows, new StridedMatrix(null, 1, M), new StridedMatrix(null, N, 1), new StridedMatrix(null, N, 1), accumulate: false);
        GemmDispatcher.Plan(ref problem, maxThreads, out int threads, out _);
        return threads;
    }

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextSingle() * 2) - 1;
        }

        return values;
    }
}
