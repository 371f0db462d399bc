using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Variable-size vector columns give variable-length sequences; series columns interleave into steps.</summary>
[TestClass]
public sealed class VariableLengthTests
{
    private static float[][] Ragged(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows)
            .Select(i => TestData.Sequences(1, seed + i, length: TestData.InputSize * random.Next(1, 7))[0])
            .ToArray();
    }

    [TestMethod]
    public void ManyToOneTrainsAndScoresSequencesOfDifferentLengths()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(30, 11);
        IDataView data = ml.Data.LoadFromEnumerable(x.Select(s => new TestData.VariableRow { Features = s, Label = TestData.RunningSums(s)[^1] }));
        Assert.AreEqual(0, ((VectorDataViewType)data.Schema["Features"].Type).Size);

        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm);
        options.StandardizeLabel = false; // so that Score is the network's output, compared below with Predict
        ITransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        Assert.AreEqual(NumberDataViewType.Single, model.GetOutputSchema(data.Schema)["Score"].Type);
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(scores.All(float.IsFinite));

        // Each row scores as it would alone: padding in a batch never leaks into a sequence's result.
        var network = RoundTripTests.Find(model).Network;
        for (int i = 0; i < x.Length; i++)
        {
            var single = new float[1];
            network.Predict(x[i], single);
            Assert.AreEqual(single[0], scores[i]);
        }
    }

    [TestMethod]
    public void ManyToManyOutputHasOneValuePerStepOfEachRow()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(20, 5);
        IDataView data = ml.Data.LoadFromEnumerable(x.Select(s => new TestData.VariableVectorRow { Features = s, Label = TestData.RunningSums(s) }));
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(RnnCellType.Gru, RnnHead.ManyToMany)).Fit(data);
        var scoreType = (VectorDataViewType)model.GetOutputSchema(data.Schema)["Score"].Type;
        Assert.IsFalse(scoreType.IsKnownSize);
        float[][] scores = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < x.Length; i++)
            Assert.HasCount(x[i].Length / TestData.InputSize, scores[i]);
    }

    [TestMethod]
    public void EmptyOrRaggedRowsScoreNaN()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(10, 3);
        IDataView train = ml.Data.LoadFromEnumerable(x.Select(s => new TestData.VariableRow { Features = s, Label = s[0] }));
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(train);
        IDataView odd = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableRow { Features = [] },
            new TestData.VariableRow { Features = [1f, 2f, 3f] },
            new TestData.VariableRow { Features = [1f, 2f] },
        });
        float[] scores = model.Transform(odd).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(float.IsNaN(scores[0]));
        Assert.IsTrue(float.IsNaN(scores[1]));
        Assert.IsTrue(float.IsFinite(scores[2]));
    }

    private sealed class SeriesRow
    {
        [VectorType(TestData.Steps)] public float[] A { get; set; } = [];
        [VectorType(TestData.Steps)] public float[] B { get; set; } = [];
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    [TestMethod]
    public void SeriesColumnsEqualTheInterleavedFeatureColumn()
    {
        var ml = new MLContext(1);
        float[][] x = TestData.Sequences(20, 9);
        SeriesRow[] rows = x.Select(s => new SeriesRow
        {
            A = Enumerable.Range(0, TestData.Steps).Select(t => s[t * 2]).ToArray(),
            B = Enumerable.Range(0, TestData.Steps).Select(t => s[t * 2 + 1]).ToArray(),
            Features = s,
            Label = TestData.RunningSums(s)[^1],
        }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);

        RnnTrainer.Options series = TestData.Options();
        series.SeriesColumnNames = ["A", "B"];
        series.InputSize = 1;
        var bySeries = ml.Regression.Trainers.Rnn(series).Fit(data);
        var byFeatures = ml.Regression.Trainers.Rnn(TestData.Options()).Fit(data);

        Assert.AreEqual(2, bySeries.Network.Shape.InputSize);
        Assert.AreEqual(2, bySeries.Options.InputSize);
        CollectionAssert.AreEqual(TestData.OutputBits(byFeatures.Transform(data)), TestData.OutputBits(bySeries.Transform(data)));

        using var stream = new MemoryStream();
        ml.Model.Save(bySeries, data.Schema, stream);
        stream.Position = 0;
        var loaded = (RnnTransformer)new MLContext(2).Model.Load(stream, out _);
        CollectionAssert.AreEqual(new[] { "A", "B" }, loaded.Options.SeriesColumnNames);
        CollectionAssert.AreEqual(TestData.OutputBits(bySeries.Transform(data)), TestData.OutputBits(loaded.Transform(data)));
    }
}
