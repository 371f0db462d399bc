using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// Training as a user's process sees it (<c>fresh-fit CASE THREADS [FITS]</c>): a fresh process, the public API
/// (<c>mlContext.Regression.Trainers.Rnn(...).Fit</c>), nothing warmed up. Fits the case's N vs N regression
/// <paramref name="fits"/> times, then times the bare core step on one batch of the same shape (the steady state that
/// BenchmarkDotNet measures), and prints one JSON object per line for <c>benchmarks/peer/fresh_process.py</c>.
/// </summary>
/// <remarks>
/// Epochs: 5; steps per epoch: 100 for the tutorial's batch of 2, 4 for the batch-64 cases (the shapes of issue 14).
/// Per Fit: its wall time, and each epoch's seconds (<see cref="RnnEpochReport.Seconds"/>) per optimizer step.
/// The JIT's state is the point: run one case per process, with the runtime's default settings.
/// </remarks>
internal static class FreshProcessFit
{
    private const int Epochs = 5;

    public static void Run(string caseName, int threads, int fits)
    {
        RnnBenchmarkCase c = RnnBenchmarkCase.Parse(caseName);
        int stepsPerEpoch = c.Batch <= 2 ? 100 : 4;
        int rows = c.Batch * stepsPerEpoch;
        int inputLength = c.Steps * c.Features, labelLength = c.Steps * c.Outputs;

        var ml = new MLContext(0);
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength);
        schema[nameof(Row.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labelLength);
        IDataView data = ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, rows).Select(i => new Row { Features = RnnBenchmarkCase.Random(inputLength, i), Label = RnnBenchmarkCase.Random(labelLength, -1 - i) }),
            schema);
        data = ml.Data.Cache(data);

        var options = new RnnTrainer.Options
        {
            InputSize = c.Features, Cell = c.Cell, HiddenSize = c.Hidden, Head = RnnHead.ManyToMany, BatchSize = c.Batch,
            MaxEpochs = Epochs, Seed = 1, NumberOfThreads = threads,
        };

        for (int fit = 1; fit <= fits; fit++)
        {
            var clock = Stopwatch.StartNew();
            RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
            double wall = clock.Elapsed.TotalSeconds;
            Print(new
            {
                @case = caseName, threads, fit, wall_ms = wall * 1e3, steps = Epochs * stepsPerEpoch,
                epoch_step_us = model.TrainingHistory.Select(e => e.Seconds * 1e6 / stepsPerEpoch).ToArray(),
            });
        }

        (double now, double steady) = CoreStepMicroseconds(c, threads);
        Print(new { @case = caseName, threads, core_step_now_us = now, core_step_us = steady });
    }

    /// <summary>
    /// Medians of bare training steps (forward, loss, backward, Adam) on one batch: right after the Fits (the JIT's state
    /// they ran in, so Fit time minus these steps is the work outside the core), and after three seconds of them (long
    /// enough for the JIT to have recompiled every hot method at its top tier: BenchmarkDotNet's steady state).
    /// </summary>
    private static (double Now, double Steady) CoreStepMicroseconds(RnnBenchmarkCase c, int threads)
    {
        var network = new RnnNetwork(new RnnNetworkShape(c.Cell, c.Features, c.Hidden, c.Outputs, Head: RnnHead.ManyToMany), seed: 1);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = threads });
        float[] inputs = RnnBenchmarkCase.Random(c.Batch * c.Steps * c.Features, 2);
        float[] targets = RnnBenchmarkCase.Random(c.Batch * c.Steps * c.Outputs, 3);
        int[] lengths = Enumerable.Repeat(c.Steps, c.Batch).ToArray();
        var batch = new SequenceBatch(inputs, lengths, c.Steps);
        int count = c.Batch <= 2 ? 500 : 20;
        double now = MedianStep(session, batch, targets, count);
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 3)
            session.TrainStep(batch, targets);
        return (now, MedianStep(session, batch, targets, count));
    }

    private static double MedianStep(RnnTrainingSession session, SequenceBatch batch, float[] targets, int count)
    {
        var samples = new double[count];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.TrainStep(batch, targets);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static void Print(object line) => Console.WriteLine(JsonSerializer.Serialize(line));

    public static int ParseInt(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }
}
