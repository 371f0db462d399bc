using BenchmarkDotNet.Attributes;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// The inference peer a .NET user would pick instead: our own trained model, exported with <c>ConvertToOnnx</c> and run by
/// ONNX Runtime on one sequence and on a batch of 256 (one <c>Run</c>, rows <c>[batch, steps·features]</c>), on 1 and 2
/// intra-op threads; beside it the managed core on the same network and rows: <c>RnnNetwork.Predict</c> one row per call
/// (the rows spread over the same number of threads), the batch <c>RnnNetwork.Predict</c> (all rows in one call on the
/// same number of threads), and <c>Transform</c> with a cursor reading <c>Score</c>, as an ML.NET user scores a data view
/// (blocks of rows on every core, whatever <see cref="Threads"/> says). Shape: <see cref="PredictBenchmarks"/>' case.
/// </summary>
[MemoryDiagnoser]
public class OnnxRuntimePeerBenchmarks
{
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!;
    private OrtValue _output = null!;
    private RnnNetwork _network = null!;
    private RnnTransformer _model = null!;
    private IDataView _scoringRows = null!;
    private int[] _lengths = [];
    private int _steps;
    private float[] _rows = [];
    private float[] _scores = [];
    private int _length;
    private string _path = "";

    [Params("predict-lstm-t30-5-64-1")]
    public string Case { get; set; } = "";

    [Params(1, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RnnBenchmarkCase c = RnnBenchmarkCase.Parse(Case);
        _length = c.Steps * c.Features;
        var ml = new MLContext(0);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 32).Select(i => new Row { Features = RnnBenchmarkCase.Random(_length, i), Label = i % 3 }),
            SchemaDefinitionFor(_length));
        // One epoch: the weights only need to be a trained model's, not a good one.
        RnnTransformer model = ml.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            InputSize = c.Features, Cell = c.Cell, HiddenSize = c.Hidden, MaxEpochs = 1, Seed = 0, NumberOfThreads = 1,
        }).Fit(data);
        _network = model.Network;
        _model = model;
        _steps = c.Steps;

        _path = Path.Combine(Path.GetTempPath(), $"rnn-peer-{Guid.NewGuid():N}.onnx");
        using (FileStream file = File.Create(_path))
            ml.Model.ConvertToOnnx(model, ml.Transforms.SelectColumns("Features").Fit(data).Transform(data), file, "Score");

        var options = new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(_path, options);
        _runOptions = new RunOptions();
        _rows = RnnBenchmarkCase.Random(Batch * _length, 1);
        _scores = new float[Batch];
        _lengths = Enumerable.Repeat(c.Steps, Batch).ToArray();
        float[] rows = _rows;
        _scoringRows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, Batch).Select(i => new Row { Features = rows.AsSpan(i * _length, _length).ToArray() }),
            SchemaDefinitionFor(_length));
        _input = OrtValue.CreateTensorValueFromMemory(_rows, [Batch, _length]);
        _output = OrtValue.CreateTensorValueFromMemory(_scores, [Batch, 1]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        File.Delete(_path);
    }

    /// <summary>ONNX Runtime on the exported file, all rows in one call, into a preallocated output.</summary>
    [Benchmark]
    public float OnnxRuntime()
    {
        _session.Run(_runOptions, ["Features"], [_input], ["Score.output"], [_output]);
        return _scores[0];
    }

    /// <summary>The managed core on the same network and rows, one row per call, rows spread over <see cref="Threads"/>.</summary>
    [Benchmark(Baseline = true)]
    public float Managed()
    {
        if (Threads == 1 || Batch == 1)
        {
            for (int row = 0; row < Batch; row++)
                _network.Predict(_rows.AsSpan(row * _length, _length), _scores.AsSpan(row, 1));
        }
        else
        {
            Parallel.For(0, Batch, new ParallelOptions { MaxDegreeOfParallelism = Threads },
                row => _network.Predict(_rows.AsSpan(row * _length, _length), _scores.AsSpan(row, 1)));
        }

        return _scores[0];
    }

    /// <summary>The core's batch prediction: every row in one call, blocks of rows on <see cref="Threads"/> threads.</summary>
    [Benchmark]
    public float ManagedBatch()
    {
        _network.Predict(new SequenceBatch(_rows, _lengths, _steps), _scores, Threads);
        return _scores[0];
    }

    /// <summary>What an ML.NET user runs: <c>Transform</c> over the rows and a cursor reading <c>Score</c> (the scoring itself on every core).</summary>
    [Benchmark]
    public float Transform()
    {
        IDataView scored = _model.Transform(_scoringRows);
        DataViewSchema.Column score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor([score]);
        ValueGetter<float> getter = cursor.GetGetter<float>(score);
        float value = 0, sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value;
        }

        return sum;
    }

    private static SchemaDefinition SchemaDefinitionFor(int length)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
