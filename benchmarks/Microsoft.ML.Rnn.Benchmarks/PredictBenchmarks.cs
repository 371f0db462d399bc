using BenchmarkDotNet.Attributes;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// One sequence through a trained-size network (N vs 1), as <c>PredictionEngine</c> scores a row; the peer script
/// times PyTorch's eval forward on the same shape.
/// </summary>
[MemoryDiagnoser]
public class PredictBenchmarks
{
    private RnnNetwork _network = null!;
    private float[] _sequence = [];
    private readonly float[] _output = new float[1];

    [Params("predict-lstm-t30-5-64-1")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        RnnBenchmarkCase c = RnnBenchmarkCase.Parse(Case);
        _network = new RnnNetwork(new RnnNetworkShape(c.Cell, c.Features, c.Hidden, c.Outputs), seed: 0);
        _sequence = RnnBenchmarkCase.Random(c.Steps * c.Features, 1);
    }

    [Benchmark]
    public float Predict()
    {
        _network.Predict(_sequence, _output);
        return _output[0];
    }
}
