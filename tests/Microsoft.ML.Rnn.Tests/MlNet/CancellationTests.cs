namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary><c>mlContext.CancelExecution()</c> stops training before the next batch.</summary>
[TestClass]
public sealed class CancellationTests
{
    [TestMethod]
    public void CancelExecutionStopsTrainingWithinOneBatch()
    {
        var ml = new MLContext(1);
        var reports = new List<RnnEpochReport>();
        RnnTrainer.Options options = TestData.Options(epochs: 1000);
        options.OnEpochEnd = r =>
        {
            reports.Add(r);
            if (r.Epoch == 2)
                ml.CancelExecution();
        };
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(data));
        Assert.HasCount(2, reports);
    }

    [TestMethod]
    public void CancelFromAnotherThreadStopsALongRun()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(epochs: 100_000);
        int epochs = 0;
        using var started = new ManualResetEventSlim();
        options.OnEpochEnd = _ => { Interlocked.Increment(ref epochs); started.Set(); };
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);
        Task fit = Task.Run(() => trainer.Fit(data));
        Assert.IsTrue(started.Wait(TimeSpan.FromSeconds(30)));
        ml.CancelExecution();
        var e = Assert.ThrowsExactly<AggregateException>(() => fit.Wait(TimeSpan.FromSeconds(30)));
        Assert.IsInstanceOfType<OperationCanceledException>(e.InnerException);
        Assert.IsLessThan(100_000, epochs);
    }
}
