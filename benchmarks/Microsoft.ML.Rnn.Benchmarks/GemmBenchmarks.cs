using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>The GEMM on the recurrent core's hot shapes, on one and two threads.</summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class GemmBenchmarks
{
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.HotShapes[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<GemmShape> Shapes => GemmShape.HotShapes;

    [GlobalSetup]
    public void Setup() => Shape.Prepare();

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
