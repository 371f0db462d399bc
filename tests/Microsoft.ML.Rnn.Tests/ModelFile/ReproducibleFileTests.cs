using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.ModelFile;

/// <summary>The same training writes the same model entry, byte for byte, whatever the thread count or the time it took.</summary>
[TestClass]
public sealed class ReproducibleFileTests
{
    [TestMethod]
    public void SameSeedAndDataWriteIdenticalBytes()
    {
        byte[] first = Entry(threads: 1), second = Entry(threads: 2);
        Assert.IsGreaterThan(100, first.Length);
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void TheEntryHoldsNoTrainingSettings()
    {
        // A learning rate of 0.0123 (bits 0x3C4985F0) must appear only as the history's rate of each of the 2 epochs, the
        // last field of each 17-byte epoch at the end of the entry: the setting itself is not written, scoring never reads it.
        byte[] entry = Entry(threads: 1, learningRate: 0.0123f, batchSize: 7);
        byte[] rate = BitConverter.GetBytes(0.0123f);
        var found = new List<int>();
        for (int at = entry.AsSpan().IndexOf(rate); at >= 0; at = entry.AsSpan(at + 1).IndexOf(rate) is int next and >= 0 ? at + 1 + next : -1)
            found.Add(at);
        CollectionAssert.AreEqual(new[] { entry.Length - 4 - 17, entry.Length - 4 }, found, "the learning rate was written outside the history");
    }

    private static byte[] Entry(int threads, float learningRate = 1e-3f, int batchSize = 8)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 2);
        options.NumberOfThreads = threads;
        options.LearningRate = learningRate;
        options.BatchSize = batchSize;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            RnnModelFormat.Write(writer, model.Model);
        return stream.ToArray();
    }
}
