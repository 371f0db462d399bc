using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>The estimator's <c>GetOutputSchema</c> agrees with the trained transformer's output schema.</summary>
[TestClass]
public sealed class SchemaPropagationTests
{
    public static IEnumerable<object[]> Cases() =>
        from head in Enum.GetValues<RnnHead>()
        from task in Enum.GetValues<RnnTask>()
        select new object[] { head, task };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EstimatorShapeMatchesTransformerSchema(RnnHead head, RnnTask task)
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, task, head, rows: 8);
        IEstimator<ITransformer> pipeline = TestData.Pipeline(ml, task, TestData.Options(RnnCellType.Gru, head, epochs: 1));
        SchemaShape predicted = pipeline.GetOutputSchema(ShapeOf(data.Schema));
        SchemaShape actual = ShapeOf(pipeline.Fit(data).GetOutputSchema(data.Schema));

        Assert.AreEqual(Describe(actual), Describe(predicted));
        Assert.IsTrue(predicted.Any(c => c.Name == "Score"));
        Assert.AreEqual(task == RnnTask.BinaryClassification, predicted.Any(c => c.Name == "Probability"));
        Assert.AreEqual(task != RnnTask.Regression, predicted.Any(c => c.Name == "PredictedLabel"));
    }

    [TestMethod]
    public void InputColumnsReadAloneFromTheScoredView()
    {
        // Reading only a column the input already had (say the label) activates no output and no feature column.
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 4);
        IDataView scored = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data).Transform(data);
        CollectionAssert.AreEqual(data.GetColumn<float>("Label").ToArray(), scored.GetColumn<float>("Label").ToArray());
    }

    [TestMethod]
    public void ManyToOneMulticlassScoreHasOneSlotPerClassNamedAfterTheLabels()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne, rows: 40);
        ITransformer model = TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options(epochs: 1)).Fit(data);
        DataViewSchema schema = model.GetOutputSchema(data.Schema);
        var score = (Data.VectorDataViewType)schema["Score"].Type;
        Assert.AreEqual(3, score.Size);
        Data.VBuffer<ReadOnlyMemory<char>> names = default;
        schema["Score"].Annotations.GetValue("SlotNames", ref names);
        CollectionAssert.AreEqual(new[] { "high", "low", "mid" }, names.DenseValues().Select(n => n.ToString()).ToArray());
        Assert.AreEqual(3UL, ((Data.KeyDataViewType)schema["PredictedLabel"].Type).Count);
    }

    /// <summary>ML.NET's own schema-to-shape conversion (internal to ML.NET, so reached by reflection here).</summary>
    internal static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .Invoke(null, [schema])!;

    /// <summary>One line per column: name, kind, item type, key flag and annotations (name, kind, item type).</summary>
    private static string Describe(SchemaShape shape) => string.Join("\n", shape
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .Select(c => $"{c.Name}: {c.Kind} {c.ItemType} key={c.IsKey} {{" +
            string.Join(", ", c.Annotations.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}:{a.Kind} {a.ItemType}")) + "}"));
}
