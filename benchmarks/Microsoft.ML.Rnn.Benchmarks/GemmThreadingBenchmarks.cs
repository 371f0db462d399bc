using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// Where splitting over two threads starts to pay: recurrent-step products (batch × 4·hidden ×
/// hidden) of growing size, with the dispatcher's threshold lowered so every one is split.
/// The smallest size whose two-thread time beats one thread is the threshold to use.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class GemmThreadingBenchmarks
{
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<GemmShape> Shapes =>
    [
        new("step", GemmVariant.TransposedB, 8, 64, 16),
        new("step", GemmVariant.TransposedB, 16, 64, 32),
        new("step", GemmVariant.TransposedB, 16, 128, 32),
        new("step", GemmVariant.TransposedB, 32, 128, 32),
        new("step", GemmVariant.TransposedB, 32, 256, 64),
        new("step", GemmVariant.TransposedB, 64, 256, 64),
        new("step", GemmVariant.TransposedB, 64, 512, 128),
        new("dh", GemmVariant.Plain, 16, 32, 128),
        new("dh", GemmVariant.Plain, 32, 64, 256),
        new("dh", GemmVariant.Plain, 64, 128, 512),
    ];

    [GlobalSetup]
    public void Setup()
    {
        Shape.Prepare();
        GemmDispatcher.ParallelThreshold = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => GemmDispatcher.ParallelThreshold = GemmDispatcher.DefaultParallelThreshold;

    [Benchmark]
    public void Gemm() => Shape.Run(Threads);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GflopsColumn());
            SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
        }
    }
}
