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
        // The batch must be much longer than the bound below: steps double (up to 4×) until an uncancelled batch takes
        // over 0.6 s, so the test means as much on a faster machine.
        int steps = Steps;
        (double FirstEpochSeconds, double StoppedAfterMilliseconds) run;
        while (true)
        {
            run = TrainAndCancel(steps);
            if (run.FirstEpochSeconds > 0.6 || steps >= 4 * Steps)
                break;
            steps *= 2;
        }

        Assert.IsGreaterThan(0.6, run.FirstEpochSeconds, "an uncancelled batch takes over 0.6 s");
        Assert.IsLessThan(300.0, run.StoppedAfterMilliseconds, $"training stopped {run.StoppedAfterMilliseconds:F0} ms after it was cancelled");
    }

    /// <summary>Trains one batch an epoch and cancels 50 ms into the second epoch; the first epoch's seconds, and how long training ran on after the cancel.</summary>
    private static (double FirstEpochSeconds, double StoppedAfterMilliseconds) TrainAndCancel(int steps)
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(TestData.Sequences(Rows, seed: 3, steps).Select(s => new Row { Features = s, Label = s.Sum() }));
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
            if (report.Epoch == 1)
            {
                firstEpoch = report.Seconds;
                cancel.Change(50, Timeout.Infinite); // 50 ms into the second epoch's only batch
            }
        };

        try
        {
            ml.Regression.Trainers.Rnn(options).Fit(data);
            return (firstEpoch, double.PositiveInfinity); // never stopped
        }
        catch (OperationCanceledException)
        {
            clock.Stop();
            return (firstEpoch, clock.Elapsed.TotalMilliseconds);
        }
    }
}
