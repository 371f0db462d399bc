using BenchmarkDotNet.Running;
using Microsoft.ML.Rnn.Benchmarks;

// `quick` prints a Stopwatch GFLOP/s table in seconds; anything else goes to BenchmarkDotNet,
// e.g. `--filter '*Gemm*' --job short`.
if (args is ["quick", ..])
{
    QuickGemm.Run(args.Length > 1 ? args[1] : "");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
