namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Rows with NaN/∞ values, zero steps or a missing key label are skipped and counted (ML.NET's convention).</summary>
[TestClass]
public sealed class SkippedRowsTests
{
    [TestMethod]
    public void BadRowsAreSkippedAndCountedInTheLog()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = TestData.Sequences(10, 1).Select(s => new TestData.VariableRow { Features = s, Label = s[0] }).ToList();
        rows.Add(new TestData.VariableRow { Features = [float.NaN, 1, 2, 3], Label = 1 });
        rows.Add(new TestData.VariableRow { Features = [1, 2], Label = float.PositiveInfinity });
        rows.Add(new TestData.VariableRow { Features = [], Label = 1 });
        IDataView data = ml.Data.LoadFromEnumerable(rows);

        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        Assert.HasCount(1, model.TrainingHistory);
        Assert.IsTrue(messages.Any(m => m.Contains("Skipped 3 of 13 training rows: 2 with NaN or infinite features or label, 1 with zero steps")),
            string.Join("\n", messages.Where(m => m.Contains("Skipped"))));
    }

    [TestMethod]
    public void MissingKeyLabelsAreSkipped()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = TestData.Sequences(12, 2).Select((s, i) => new TestData.ClassRow { Features = s, Label = TestData.Classes[i % 3] }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        // Keys trained on two of the three classes: the third maps to the missing key 0.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.FilterByCustomPredicate<TestData.ClassRow>(data, r => r.Label == "high"));
        IDataView keyed = keys.Transform(data);
        RnnTransformer model = ml.MulticlassClassification.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(keyed);
        Assert.AreEqual(2, model.Network.Shape.OutputSize);
        Assert.IsTrue(messages.Any(m => m.Contains("Skipped 4 of 12 training rows") && m.Contains("4 with a missing label")));
    }

    [TestMethod]
    public void NoUsableRowFailsClearly()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new TestData.VariableRow { Features = [float.NaN, 1], Label = 1 },
            new TestData.VariableRow { Features = [], Label = 1 },
        });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.Rnn(TestData.Options()).Fit(data));
        StringAssert.Contains(e.Message, "No usable training rows");
        StringAssert.Contains(e.Message, "Skipped 2 of 2");
    }
}
