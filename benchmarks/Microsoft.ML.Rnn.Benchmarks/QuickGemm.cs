using System.Diagnostics;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// A seconds-long Stopwatch table of GFLOP/s for the hot shapes (best of many timed batches, which
/// also filters out other processes on a shared machine), for tuning between full BenchmarkDotNet
/// runs: <c>dotnet run -c Release -- quick [name filter]</c>.
/// </summary>
internal static class QuickGemm
{
    public static void Run(string filter)
    {
        Console.WriteLine($"load average: {LoadAverage()}");
        Console.WriteLine($"{"shape",-36} {"1 thread",10} {"2 threads",10}");
        foreach (GemmShape shape in GemmShape.HotShapes.Where(s => s.ToString().Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            shape.Prepare();
            Console.WriteLine($"{shape,-36} {Measure(shape, 1),10:F1} {Measure(shape, 2),10:F1}");
        }
    }

    private static double Measure(GemmShape shape, int threads)
    {
        // Batches of ~10 ms, so timer resolution and hand-off jitter average out within a batch.
        shape.Run(threads);
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 10)
        {
            shape.Run(threads);
            calls++;
        }

        double best = double.MaxValue;
        for (int batch = 0; batch < 25; batch++)
        {
            watch.Restart();
            for (int i = 0; i < calls; i++)
            {
                shape.Run(threads);
            }

            best = Math.Min(best, watch.Elapsed.TotalSeconds / calls);
        }

        return shape.Flops / best / 1e9;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
