using System.Diagnostics;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// <c>quick-predict</c>: a Stopwatch table of one-sequence <see cref="RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/>
/// on the prediction case (LSTM, 5 features, hidden 64, N vs 1) at 1 and 30 steps, medians after a warm-up, so that the
/// cost per call and per step separate: per step = (t30 − t1) / 29; beside it the products a step runs (the recurrent
/// product of one row, and of a block of 32 rows as batched scoring and as training compute it) and the input projection.
/// </summary>
internal static class QuickPredict
{
    public static void Run()
    {
        float[] h = RnnBenchmarkCase.Random(64, 3), w = RnnBenchmarkCase.Random(256 * 64, 4), g = new float[256];
        Time("recurrent product 1×256×64", () => Gemm.MultiplyTransposedB(1, 256, 64, h, 64, w, 64, g, 256, accumulate: false));
        float[] rows = RnnBenchmarkCase.Random(32 * 64, 3), rowGates = new float[32 * 256];
        Time("recurrent product of 32 rows, scoring (dot form)", () => Gemm.MultiplyTransposedB(32, 256, 64, rows, 64, w, 64, rowGates, 256, accumulate: false, sequenceRows: 1));
        Time("recurrent product of 32 rows, training (packed)", () => Gemm.MultiplyTransposedB(32, 256, 64, rows, 64, w, 64, rowGates, 256, accumulate: false));
        float[] x = RnnBenchmarkCase.Random(30 * 5, 3), wi = RnnBenchmarkCase.Random(256 * 5, 4), gi = new float[30 * 256];
        Time("input projection 30×256×5", () => Gemm.MultiplyTransposedB(30, 256, 5, x, 5, wi, 5, gi, 256, accumulate: false));
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 5, 64, 1), seed: 1);
        var output = new float[1];
        foreach (int steps in new[] { 1, 30 })
        {
            float[] sequence = RnnBenchmarkCase.Random(steps * 5, 1);
            Time($"one sequence of {steps} steps", () => network.Predict(sequence, output));
        }
    }

    private static void Time(string name, Action action)
    {
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 1)
            action();
        var samples = new double[20_000];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        Console.WriteLine($"{name}: median {samples[samples.Length / 2]:F2} µs, 10th percentile {samples[samples.Length / 10]:F2} µs");
    }
}
