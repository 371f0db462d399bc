using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>One transformer scores safely from many threads at once.</summary>
[TestClass]
public sealed class ConcurrencyTests
{
    [TestMethod]
    [DataRow(RnnTask.Regression, RnnHead.ManyToOne)]
    [DataRow(RnnTask.BinaryClassification, RnnHead.ManyToMany)]
    [DataRow(RnnTask.MulticlassClassification, RnnHead.ManyToOne)]
    public void EightThreadsScoringOneTransformerMatchSerial(RnnTask task, RnnHead head)
    {
        var ml = new MLContext(1);
        IDataView train = TestData.Data(ml, task, head, rows: 24);
        ITransformer model = TestData.Pipeline(ml, task, TestData.Options(RnnCellType.Lstm, head, epochs: 1)).Fit(train);
        IDataView data = TestData.Data(ml, task, head, rows: 200, seed: 77);
        List<string> serial = TestData.OutputBits(model.Transform(data));

        var results = new List<string>[8];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = TestData.OutputBits(model.Transform(data));
        })).ToArray();
        foreach (Thread t in threads)
            t.Start();
        foreach (Thread t in threads)
            t.Join();

        foreach (List<string> result in results)
            CollectionAssert.AreEqual(serial, result);
    }

    [TestMethod]
    public void ParallelCursorsMatchSerial()
    {
        var ml = new MLContext(1);
        IDataView train = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 24);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(RnnCellType.Gru, epochs: 1)).Fit(train);
        IDataView data = ml.Data.Cache(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 300, seed: 5));
        IDataView scored = model.Transform(data);
        float[] serial = scored.GetColumn<float>("Score").ToArray();

        var seen = new System.Collections.Concurrent.ConcurrentDictionary<long, float>();
        DataViewRowCursor[] cursors = scored.GetRowCursorSet(scored.Schema.Where(c => c.Name == "Score"), 4);
        Parallel.ForEach(cursors, cursor =>
        {
            using (cursor)
            {
                var score = cursor.GetGetter<float>(scored.Schema["Score"]);
                var id = cursor.GetIdGetter();
                float value = 0;
                DataViewRowId rowId = default;
                while (cursor.MoveNext())
                {
                    score(ref value);
                    id(ref rowId);
                    seen[(long)rowId.Low] = value;
                }
            }
        });
        Assert.HasCount(serial.Length, seen);
        CollectionAssert.AreEquivalent(serial, seen.Values.ToArray());
    }
}
