namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>The same seed gives the same model, on any number of threads; a different seed gives a different one.</summary>
[TestClass]
public sealed class DeterminismTests
{
    private static RnnTransformer Train(int contextSeed, int? optionSeed, int? threads)
    {
        var ml = new MLContext(contextSeed);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 3);
        options.Seed = optionSeed;
        options.NumberOfThreads = threads;
        options.Dropout = 0.2f;
        options.NumberOfLayers = 2;
        return ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 40));
    }

    private static void AssertSameModel(RnnTransformer a, RnnTransformer b)
    {
        foreach ((string name, float[] values) in a.Network.ExportParameters())
            CollectionAssert.AreEqual(values, b.Network.ExportParameters()[name], name);
        CollectionAssert.AreEqual(a.TrainingHistory.Select(r => r.TrainLoss).ToArray(), b.TrainingHistory.Select(r => r.TrainLoss).ToArray());
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(null)]
    public void SameOptionSeedGivesIdenticalModels(int? threads) => AssertSameModel(Train(1, 42, threads), Train(2, 42, threads));

    [TestMethod]
    public void ThreadCountDoesNotChangeTheModel()
    {
        // Batches of 64 rows at hidden 32 (2 layers, 4 steps) are cut into two blocks of rows, which two threads run at once.
        RnnTransformer TrainWide(int threads)
        {
            var ml = new MLContext(1);
            RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 2);
            options.HiddenSize = 32;
            options.BatchSize = 64;
            options.NumberOfLayers = 2;
            options.Dropout = 0.2f;
            options.NumberOfThreads = threads;
            return ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 192));
        }

        AssertSameModel(TrainWide(1), TrainWide(2));
    }

    [TestMethod]
    public void SameContextSeedGivesIdenticalModels()
    {
        RnnTransformer a = Train(7, null, 1), b = Train(7, null, 1);
        AssertSameModel(a, b);
        Assert.AreEqual(7, a.Options.Seed);
    }

    [TestMethod]
    public void DifferentSeedsGiveDifferentModels()
    {
        RnnTransformer a = Train(1, 42, 1), b = Train(1, 43, 1);
        Assert.IsFalse(a.Network.ExportParameters()["head.weight"].SequenceEqual(b.Network.ExportParameters()["head.weight"]));
    }
}
