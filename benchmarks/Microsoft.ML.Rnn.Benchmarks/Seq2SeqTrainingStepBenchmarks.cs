using BenchmarkDotNet.Attributes;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// One training step of an encoder–decoder (N vs M: forward, softmax cross-entropy over the M output steps,
/// back-propagation through time, Adam) on the shapes of the PyTorch peer script (benchmarks/peer/torch_seq2seq.py),
/// which times the reference module (tests/fixtures/seq2seq_reference.py) on the same cases.
/// </summary>
[MemoryDiagnoser]
public class Seq2SeqTrainingStepBenchmarks
{
    private RnnTrainingSession _session = null!;
    private float[] _inputs = [];
    private float[] _targets = [];
    private int[] _lengths = [];
    private int _steps;

    /// <summary>
    /// Case names shared with the peer script: <c>seq2seq-cell-bBATCH-tSTEPS-FEATURES-HIDDEN-CLASSES-mOUTPUTSTEPS-CONTEXT</c>;
    /// the decoder reads the context at every step (<see cref="RnnDecoderInput.EveryStep"/>) and feeds nothing back.
    /// </summary>
    [Params("seq2seq-lstm-b32-t7-12-128-12-m4-last", "seq2seq-lstm-b32-t7-12-128-12-m4-attention")]
    public string Case { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Seq2SeqBenchmarkCase c = Seq2SeqBenchmarkCase.Parse(Case);
        _session = new RnnTrainingSession(new RnnNetwork(c.Shape, seed: 0),
            new RnnTrainingOptions { Threads = Threads, Loss = RnnLoss.SoftmaxCrossEntropy });
        _steps = c.Sequence.Steps;
        _lengths = Enumerable.Repeat(c.Sequence.Steps, c.Sequence.Batch).ToArray();
        _inputs = RnnBenchmarkCase.Random(c.Sequence.Batch * c.Sequence.Steps * c.Sequence.Features, 1);
        _targets = Seq2SeqBenchmarkCase.Classes(c.Sequence.Batch * c.OutputLength, c.Sequence.Outputs, 2);
    }

    [Benchmark]
    public float TrainStep() => _session.TrainStep(new SequenceBatch(_inputs, _lengths, _steps), _targets);
}

/// <summary>
/// An encoder–decoder benchmark shape named as in benchmarks/peer/torch_seq2seq.py:
/// <c>seq2seq-cell-bBATCH-tSTEPS-FEATURES-HIDDEN-CLASSES-mOUTPUTSTEPS-CONTEXT</c>, CONTEXT <c>last</c>,
/// <c>projected</c> or <c>attention</c>; the decoder reads the context at every step.
/// </summary>
public sealed record Seq2SeqBenchmarkCase(RnnBenchmarkCase Sequence, int OutputLength, RnnContext Context)
{
    public RnnNetworkShape Shape => new(Sequence.Cell, Sequence.Features, Sequence.Hidden, Sequence.Outputs, Head: RnnHead.EncoderDecoder)
    {
        OutputLength = OutputLength,
        Context = Context,
        DecoderInput = RnnDecoderInput.EveryStep,
    };

    public static Seq2SeqBenchmarkCase Parse(string name)
    {
        string[] parts = name.Split('-');
        RnnContext context = parts[^1] switch
        {
            "attention" => RnnContext.Attention,
            "projected" => RnnContext.Projected,
            _ => RnnContext.LastState,
        };
        int outputLength = int.Parse(parts[^2].TrimStart('m'), System.Globalization.CultureInfo.InvariantCulture);
        return new Seq2SeqBenchmarkCase(RnnBenchmarkCase.Parse(string.Join('-', parts[..^2])), outputLength, context);
    }

    /// <summary><paramref name="count"/> class indices below <paramref name="classes"/>, as softmax cross-entropy takes them.</summary>
    public static float[] Classes(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = random.Next(classes);
        return values;
    }
}
