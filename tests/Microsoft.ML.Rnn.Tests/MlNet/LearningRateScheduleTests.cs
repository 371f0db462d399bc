namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// <see cref="RnnTrainer.Options.LearningRateSchedule"/> against its formulas: each epoch's learning rate, as
/// <see cref="RnnEpochReport.LearningRate"/> reports it and the model file keeps it.
/// </summary>
[TestClass]
public sealed class LearningRateScheduleTests
{
    [TestMethod]
    public void ConstantKeepsTheLearningRateAndTheFileKeepsIt()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 3)).Fit(data);

        CollectionAssert.AreEqual(new[] { 0.01f, 0.01f, 0.01f }, model.TrainingHistory.Select(e => e.LearningRate).ToArray());
        Assert.AreEqual(3, Reload(ml, model, data).TrainingHistory.Count(e => e.LearningRate == 0.01f));
    }

    [TestMethod]
    public void StepDecayFollowsItsFormula()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTrainer.Options options = TestData.Options(epochs: 8);
        options.LearningRateSchedule = RnnLearningRateSchedule.StepDecay;
        options.LearningRateDecay = 0.5f;
        options.LearningRateStepEpochs = 3;
        options.MinimumLearningRate = 0.002f;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        // 0.01 · 0.5^⌊(e − 1) / 3⌋, floored at 0.002: epochs 7 and 8 would be 0.0025 without the floor… and are.
        double[] expected = Enumerable.Range(1, 8).Select(e => Math.Max(0.002, 0.01 * Math.Pow(0.5, (e - 1) / 3))).ToArray();
        AssertRates(expected, model.TrainingHistory);
        AssertRates(expected, Reload(ml, model, data).TrainingHistory);
    }

    [TestMethod]
    public void CosineFollowsItsFormula()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTrainer.Options options = TestData.Options(epochs: 6);
        options.LearningRateSchedule = RnnLearningRateSchedule.Cosine;
        options.MinimumLearningRate = 0.001f;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        AssertRates(Enumerable.Range(1, 6).Select(e => 0.001 + (0.01 - 0.001) * (1 + Math.Cos(Math.PI * (e - 1) / 6)) / 2).ToArray(), model.TrainingHistory);
    }

    [TestMethod]
    public void ReduceOnPlateauReducesAfterPatienceEpochsWithoutImprovementDownToTheMinimum()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTrainer.Options options = TestData.Options(epochs: 12);
        // A step far below any parameter's precision and one unshuffled batch: every epoch's loss is the same, so no epoch
        // after the first improves.
        options.LearningRate = 1e-20f;
        options.Shuffle = false;
        options.BatchSize = 8;
        options.LearningRateSchedule = RnnLearningRateSchedule.ReduceOnPlateau;
        options.LearningRateDecay = 0.5f;
        options.LearningRatePatience = 3;
        options.MinimumLearningRate = 1e-20f / 8;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        Assert.AreEqual(1, model.TrainingHistory.Select(e => e.TrainLoss).Distinct().Count(), "the premise: a flat loss");
        // Epoch 1 sets the best loss; epochs 2–4 do not improve, so epoch 5 runs at half the rate, and so on, until the floor.
        double[] factors = [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125];
        AssertRates(factors.Select(f => 1e-20 * f).ToArray(), model.TrainingHistory);
    }

    [TestMethod]
    public void ReduceOnPlateauWatchesTheValidationLoss()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTrainer.Options options = TestData.Options(epochs: 10);
        options.ValidationSet = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8, seed: 9);
        options.LearningRateSchedule = RnnLearningRateSchedule.ReduceOnPlateau;
        options.LearningRateDecay = 0.5f;
        options.LearningRatePatience = 2;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        // Replays the rule on the reported validation losses.
        float best = float.PositiveInfinity, rate = 0.01f;
        int bad = 0;
        foreach (RnnEpochReport epoch in model.TrainingHistory)
        {
            Assert.AreEqual(rate, epoch.LearningRate, $"epoch {epoch.Epoch}");
            if (epoch.ValidationLoss!.Value < best)
                (best, bad) = (epoch.ValidationLoss.Value, 0);
            else if (++bad >= 2)
                (rate, bad) = (rate * 0.5f, 0);
        }
    }

    [TestMethod]
    [DataRow(nameof(RnnTrainer.Options.LearningRateDecay))]
    [DataRow(nameof(RnnTrainer.Options.LearningRateStepEpochs))]
    [DataRow(nameof(RnnTrainer.Options.LearningRatePatience))]
    [DataRow(nameof(RnnTrainer.Options.MinimumLearningRate))]
    [DataRow(nameof(RnnTrainer.Options.LearningRateSchedule))]
    public void InvalidScheduleOptionsAreNamed(string option)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        switch (option)
        {
            case nameof(RnnTrainer.Options.LearningRateDecay): options.LearningRateDecay = 1f; break;
            case nameof(RnnTrainer.Options.LearningRateStepEpochs): options.LearningRateStepEpochs = 0; break;
            case nameof(RnnTrainer.Options.LearningRatePatience): options.LearningRatePatience = 0; break;
            case nameof(RnnTrainer.Options.MinimumLearningRate): options.MinimumLearningRate = 1f; break;
            default: options.LearningRateSchedule = (RnnLearningRateSchedule)42; break;
        }

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 4)));
        StringAssert.Contains(error.Message, $"Option '{option}'");
    }

    private static void AssertRates(double[] expected, IReadOnlyList<RnnEpochReport> history)
    {
        Assert.HasCount(expected.Length, history);
        for (int e = 0; e < expected.Length; e++)
            Assert.AreEqual(expected[e], history[e].LearningRate, expected[e] * 1e-6, $"epoch {e + 1}");
    }

    private static RnnTransformer Reload(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        return (RnnTransformer)new MLContext(2).Model.Load(stream, out _);
    }
}
