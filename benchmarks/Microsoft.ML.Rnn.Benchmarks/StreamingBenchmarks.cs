using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// <see cref="RnnStreamingEngine"/> on a live feed against the stateless alternative, on one trained N vs N LSTM
/// (hidden 64, one feature per step, one output per step).
/// <list type="bullet">
/// <item><c>Feed10</c>, <c>Feed1000</c>, <c>Feed100000</c>: a feed of that many ticks from the zero state (a reset,
/// then one <c>Predict</c> per tick); the mean is per tick, so equal means show a tick costing the same after 10 ticks
/// as after 100,000.</item>
/// <item><c>Window50</c>: what a feed costs without the engine: a <c>PredictionEngine</c> call on the last 50 steps,
/// every tick (the baseline).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class StreamingBenchmarks
{
    private const int Hidden = 64;
    private const int Window = 50;
    private RnnStreamingEngine _engine = null!;
    private PredictionEngine<WindowRow, WindowScore> _window = null!;
    private WindowRow _windowRow = null!;
    private float[] _series = [];
    private readonly float[] _output = new float[1];

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(0);
        var random = new Random(0);
        float[] Wave(int offset, int length) =>
            Enumerable.Range(offset, length).Select(t => MathF.Sin(t / 8f) + 0.1f * (float)(random.NextDouble() - 0.5)).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, 32).Select(i => new TrainingRow { Features = Wave(i * 7, Window), Label = Wave(i * 7 + 1, Window) }));
        // One epoch: the weights only need to be a trained model's, not a good one.
        RnnTransformer model = ml.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            InputSize = 1, Cell = RnnCellType.Lstm, HiddenSize = Hidden, Head = RnnHead.ManyToMany, MaxEpochs = 1, Seed = 0, NumberOfThreads = 1,
        }).Fit(data);
        _engine = model.CreateStreamingEngine();
        _window = ml.Model.CreatePredictionEngine<WindowRow, WindowScore>(model);
        _series = Wave(0, 100_000);
        _windowRow = new WindowRow { Features = _series[..Window] };
    }

    [Benchmark(OperationsPerInvoke = 10)]
    public float Feed10() => Feed(10);

    [Benchmark(OperationsPerInvoke = 1000)]
    public float Feed1000() => Feed(1000);

    [Benchmark(OperationsPerInvoke = 100_000)]
    public float Feed100000() => Feed(100_000);

    /// <summary>The stateless way: score the whole 50-step window again (through ML.NET), and read its last step.</summary>
    [Benchmark(Baseline = true)]
    public float Window50() => _window.Predict(_windowRow).Score[^1];

    private float Feed(int ticks)
    {
        _engine.Reset();
        for (int t = 0; t < ticks; t++)
            _engine.Predict(_series.AsSpan(t, 1), _output);
        return _output[0];
    }

    private sealed class TrainingRow
    {
        [VectorType(Window)] public float[] Features { get; set; } = [];
        [VectorType(Window)] public float[] Label { get; set; } = [];
    }

    private sealed class WindowRow
    {
        [VectorType(Window)] public float[] Features { get; set; } = [];
    }

    private sealed class WindowScore
    {
        public float[] Score { get; set; } = [];
    }
}
