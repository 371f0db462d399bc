using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Save → load in a new MLContext → bit-identical predictions, for every cell × head × task.</summary>
[TestClass]
public sealed class RoundTripTests
{
    public static IEnumerable<object[]> Cases() =>
        from cell in Enum.GetValues<RnnCellType>()
        from head in Enum.GetValues<RnnHead>()
        from task in Enum.GetValues<RnnTask>()
        select new object[] { cell, head, task };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void SaveLoadGivesBitIdenticalPredictions(RnnCellType cell, RnnHead head, RnnTask task)
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, task, head);
        ITransformer model = TestData.Pipeline(ml, task, TestData.Options(cell, head, epochs: 2)).Fit(data);
        List<string> before = TestData.OutputBits(model.Transform(data));

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var other = new MLContext(99);
        ITransformer loaded = other.Model.Load(stream, out DataViewSchema inputSchema);
        List<string> after = TestData.OutputBits(loaded.Transform(data));

        Assert.AreEqual(data.Schema.Count, inputSchema.Count);
        Assert.HasCount(24, before);
        CollectionAssert.AreEqual(before, after);

        RnnTransformer trained = Find(model), reloaded = Find(loaded);
        Assert.AreEqual(trained.Network.Shape, reloaded.Network.Shape);
        foreach ((string name, float[] values) in trained.Network.ExportParameters())
            CollectionAssert.AreEqual(values, reloaded.Network.ExportParameters()[name], name);
        // The history keeps each epoch's losses; times stay out of the file, so that the same training writes the same bytes.
        CollectionAssert.AreEqual(trained.TrainingHistory.Select(e => e with { Seconds = double.NaN }).ToArray(), reloaded.TrainingHistory.ToArray());
        Assert.AreEqual(trained.Options.Seed, reloaded.Options.Seed);
        Assert.AreEqual(trained.Options.Cell, reloaded.Options.Cell);
        Assert.AreEqual(task, reloaded.Options.Task);
    }

    [TestMethod]
    public void MulticlassPredictedLabelMapsBackToTheOriginalValues()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne);
        var pipeline = TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        ITransformer model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        ITransformer loaded = new MLContext(5).Model.Load(stream, out _);
        string[] predicted = loaded.Transform(data).GetColumn<string>("PredictedText").ToArray();
        Assert.IsTrue(predicted.All(p => TestData.Classes.Contains(p)), string.Join(",", predicted));
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<string>("PredictedText").ToArray(), predicted);
    }

    internal static RnnTransformer Find(ITransformer model) => model switch
    {
        RnnTransformer rnn => rnn,
        TransformerChain<ITransformer> chain => chain.OfType<RnnTransformer>().Single(),
        TransformerChain<RnnTransformer> chain => chain.LastTransformer,
        _ => ((IEnumerable<ITransformer>)model).OfType<RnnTransformer>().Single(),
    };
}
