using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Epochs, validation, early stopping with the best epoch's parameters, progress reporting, the options copy.</summary>
[TestClass]
public sealed class TrainingLoopTests
{
    [TestMethod]
    public void RunsExactlyMaxEpochsAndReportsEachToLogAndCallback()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var reports = new List<RnnEpochReport>();
        RnnTrainer.Options options = TestData.Options(epochs: 4);
        options.OnEpochEnd = reports.Add;
        options.ValidationSet = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 6, seed: 100);
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));

        Assert.HasCount(4, reports);
        CollectionAssert.AreEqual(reports, model.TrainingHistory.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => float.IsFinite(r.TrainLoss) && r.ValidationLoss is float v && float.IsFinite(v) && r.Seconds >= 0));
        for (int epoch = 1; epoch <= 4; epoch++)
            Assert.IsTrue(messages.Any(m => m.Contains($"RNN epoch {epoch}/4: train loss") && m.Contains("validation loss")), $"epoch {epoch} not logged");
    }

    [TestMethod]
    public void WithoutValidationTheValidationLossIsNull()
    {
        var ml = new MLContext(1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 2)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        Assert.IsTrue(model.TrainingHistory.All(r => r.ValidationLoss is null));
    }

    [TestMethod]
    public void TrainingLossFallsOnALearnableTarget()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 30);
        options.LearningRate = 0.02f;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 48));
        Assert.IsLessThan(model.TrainingHistory[0].TrainLoss * 0.5f, model.TrainingHistory[^1].TrainLoss);
    }

    [TestMethod]
    public void EarlyStoppingStopsAfterPatienceAndKeepsTheBestEpoch()
    {
        var ml = new MLContext(1);
        IDataView train = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 32);
        // Validation labels unrelated to the features: the validation loss soon stops improving.
        var noise = new Random(4);
        IDataView validation = ml.Data.LoadFromEnumerable(TestData.Sequences(16, 50)
            .Select(s => new TestData.RegressionRow { Features = s, Label = (float)(noise.NextDouble() * 4 - 2) }).ToArray());
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 300);
        options.LearningRate = 0.05f;
        options.ValidationSet = validation;
        options.EarlyStoppingPatience = 3;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(train);

        IReadOnlyList<RnnEpochReport> history = model.TrainingHistory;
        Assert.IsLessThan(300, history.Count, "early stopping never triggered");
        int best = history.Select((r, i) => (r.ValidationLoss!.Value, i)).Min().i;
        Assert.AreEqual(best + 1 + options.EarlyStoppingPatience, history.Count, "stopped exactly patience epochs after the best");

        // The kept parameters are the best epoch's: their validation MSE is the best epoch's validation loss.
        double mse = ml.Regression.Evaluate(model.Transform(validation)).MeanSquaredError;
        Assert.AreEqual(history[best].ValidationLoss!.Value, mse, 1e-4 * Math.Max(1, mse));
    }

    [TestMethod]
    public void OptionsAreCopiedInAndOut()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(epochs: 1);
        options.Seed = null;
        RnnTrainer trainer = ml.Regression.Trainers.Rnn(options);
        options.HiddenSize = 999; // changing the caller's instance later does not change the trainer
        options.Task = RnnTask.BinaryClassification;
        RnnTransformer model = trainer.Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));

        Assert.AreEqual(5, model.Network.Shape.HiddenSize);
        RnnTrainer.Options copy = model.Options;
        Assert.AreEqual(5, copy.HiddenSize);
        Assert.AreEqual(RnnTask.Regression, copy.Task);
        Assert.IsNotNull(copy.Seed, "the seed actually used is recorded");
        copy.HiddenSize = 1;
        Assert.AreEqual(5, model.Options.HiddenSize, "Options returns a copy");
        Assert.IsNull(copy.ValidationSet);
        Assert.IsNull(copy.OnEpochEnd);
    }

    [TestMethod]
    public void ZeroEpochsKeepInitialParametersForImportedModels()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        RnnTransformer first = ml.Regression.Trainers.Rnn(TestData.Options(RnnCellType.Gru, epochs: 2)).Fit(data);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 0);
        options.Seed = 12345;
        options.InitialParameters = first.Network.ExportParameters();
        // Those weights predict the standardised label; the same rows give the same statistics to map it back.
        options.StandardizeLabel = true;
        RnnTransformer imported = ml.Regression.Trainers.Rnn(options).Fit(data);
        Assert.IsEmpty(imported.TrainingHistory);
        CollectionAssert.AreEqual(TestData.OutputBits(first.Transform(data)), TestData.OutputBits(imported.Transform(data)));
    }

    [TestMethod]
    public void FullBatchWithoutShuffleIsOneStepPerEpoch()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 10);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Rnn, epochs: 3);
        options.Shuffle = false;
        options.BatchSize = 64;
        options.Optimizer = RnnOptimizerKind.Sgd;
        options.LearningRate = 0.1f;
        options.StandardizeLabel = false; // the core below trains on the label as it is
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);

        // The same three full-batch steps taken directly on the core.
        var network = new RnnNetwork(model.Network.Shape, seed: model.Options.Seed!.Value);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Optimizer = RnnOptimizerKind.Sgd, LearningRate = 0.1f, Threads = 1 });
        float[][] x = data.GetColumn<float[]>("Features").ToArray();
        float[] y = data.GetColumn<float>("Label").ToArray();
        float[] inputs = x.SelectMany(s => s).ToArray();
        int[] lengths = Enumerable.Repeat(TestData.Steps, x.Length).ToArray();
        var losses = new List<float>();
        for (int epoch = 0; epoch < 3; epoch++)
            losses.Add(session.TrainStep(new SequenceBatch(inputs, lengths, TestData.Steps), y));

        CollectionAssert.AreEqual(losses, model.TrainingHistory.Select(r => r.TrainLoss).ToList());
        foreach ((string name, float[] values) in network.ExportParameters())
            CollectionAssert.AreEqual(values, model.Network.ExportParameters()[name], name);
    }

    [TestMethod]
    public void StatefulTrainingRunsAndScoresStatelessly()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToMany, rows: 16);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, RnnHead.ManyToMany, epochs: 3);
        options.Stateful = true;
        options.Shuffle = false;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        Assert.HasCount(3, model.TrainingHistory);
        Assert.IsTrue(model.TrainingHistory.All(r => float.IsFinite(r.TrainLoss)));
        Assert.IsFalse(messages.Any(m => m.Contains("Stateful training carries")));

        // Scoring is stateless: the same rows score the same however often they are scored.
        CollectionAssert.AreEqual(TestData.OutputBits(model.Transform(data)), TestData.OutputBits(model.Transform(data)));

        options.Shuffle = true;
        ml.Regression.Trainers.Rnn(options).Fit(data);
        Assert.IsTrue(messages.Any(m => m.Contains("Stateful training carries")));
    }
}
