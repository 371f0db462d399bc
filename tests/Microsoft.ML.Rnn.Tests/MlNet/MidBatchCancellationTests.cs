using System.Diagnostics;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary><c>mlContext.CancelExecution()</c> stops training within a time step of the running batch, not at its end.</summary>
[TestClass]
public sealed class MidBatchCancellationTests
{
    private const int Rows = 128, Steps = 200;

    public sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    [TestMethod]
    [DoNotParallelize] // times a step
    public void CancelExecutionStopsTheRunningBatch()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(TestData.Sequences(Rows, seed: 3, Steps).Select(s => new Row { Features = s, Label = s.Sum() }));
        var options = new RnnTrainer.Options
        {
            HiddenSize = 512,
            BatchSize = Rows, // one step an epoch
            MaxEpochs = 3,
            NumberOfThreads = 1,
            Seed = 1,
        };
        double firstEpoch = 0;
        var clock = new Stopwatch();
        using var cancel = new Timer(_ => { clock.Start(); ml.CancelExecution(); });
        options.OnEpochEnd = report =>
        {
            firstEpoch = report.Seconds;
            cancel.Change(50, Timeout.Infinite); // 50 ms into the second epoch's only batch
        };
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);

        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(data));
        clock.Stop();
        Assert.IsGreaterThan(1.0, firstEpoch, "an uncancelled batch takes over a second");
        Assert.IsLessThan(300.0, clock.Elapsed.TotalMilliseconds, $"training stopped {clock.Elapsed.TotalMilliseconds:F0} ms after it was cancelled");
    }
}
