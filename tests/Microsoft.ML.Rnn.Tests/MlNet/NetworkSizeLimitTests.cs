using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// The trainer refuses a network too large for one array (naming HiddenSize) or for the machine's memory (saying what
/// it needs) before it reads a row or allocates the network.
/// </summary>
[TestClass]
public sealed class NetworkSizeLimitTests
{
    [TestMethod]
    [DataRow(RnnCellType.Lstm, 23_171)]
    [DataRow(RnnCellType.Gru, 26_755)]
    [DataRow(RnnCellType.Rnn, 46_341)]
    [DataRow(RnnCellType.Lstm, 65_536)]
    public void HiddenSizeTooLargeForOneArrayIsAnOptionError(RnnCellType cell, int hidden)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(cell);
        options.HiddenSize = hidden;
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        Assert.IsLessThan(16L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.AreEqual("HiddenSize", e.ParamName);
        StringAssert.Contains(e.Message, $"Option 'HiddenSize' is {hidden},");
        StringAssert.Contains(e.Message, "lower HiddenSize or NumberOfLayers");
    }

    [TestMethod]
    public void NetworkTooLargeForMemoryIsRefusedBeforeAllocating()
    {
        // 64 layers of LSTM 1024 (0.54 billion parameters, one array holds them) over 8 rows of 65,536 steps: one
        // batch's activations alone are about 10^12 values, far beyond any machine's memory.
        const int Rows = 8, Steps = 65_536;
        var ml = new MLContext(1);
        var options = new RnnTrainer.Options { HiddenSize = 1024, NumberOfLayers = 64, BatchSize = Rows, MaxEpochs = 1, Seed = 1 };
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 1, 1024, 1, 64);
        Assert.IsGreaterThan(MemoryEstimate.AvailableBytes, MemoryEstimate.TrainingBytes(shape, new RnnTrainingOptions(), Rows, Steps));
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, Rows).Select(_ => new LongRow { Features = new float[Steps] }));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InsufficientMemoryException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        Assert.IsLessThan(64L << 20, GC.GetAllocatedBytesForCurrentThread() - before, "only the rows are read before the refusal");
        StringAssert.Contains(e.Message, "64 layer(s) of HiddenSize 1024");
        StringAssert.Contains(e.Message, "needs at least");
    }

    private sealed class LongRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
