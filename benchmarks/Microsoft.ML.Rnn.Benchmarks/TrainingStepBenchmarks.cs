using BenchmarkDotNet.Attributes;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// One training step (forward, MSE, back-propagation through time, Adam) on the shapes of the PyTorch peer script
/// (benchmarks/peer/torch_rnn.py), which times the same cases.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private RnnTrainingSession _session = null!;
    private float[] _inputs = [];
    private float[] _targets = [];
    private int[] _lengths = [];
    private int _steps;

    /// <summary>Case names shared with the peer script: cell-batch-steps-features-hidden-outputs.</summary>
    [Params("tutorial-rnn-b2-t30-3-5-4", "rnn-b64-t50-8-128-1", "lstm-b64-t50-8-128-1", "gru-b64-t50-8-128-1")]
    public string Case { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RnnBenchmarkCase c = RnnBenchmarkCase.Parse(Case);
        var network = new RnnNetwork(new RnnNetworkShape(c.Cell, c.Features, c.Hidden, c.Outputs, Head: RnnHead.ManyToMany), seed: 0);
        _session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = Threads });
        _steps = c.Steps;
        _lengths = Enumerable.Repeat(c.Steps, c.Batch).ToArray();
        _inputs = RnnBenchmarkCase.Random(c.Batch * c.Steps * c.Features, 1);
        _targets = RnnBenchmarkCase.Random(c.Batch * c.Steps * c.Outputs, 2);
    }

    [Benchmark]
    public float TrainStep() => _session.TrainStep(new SequenceBatch(_inputs, _lengths, _steps), _targets);
}
