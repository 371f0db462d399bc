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
        // 64 layers of LSTM 2048: 2.13 billion parameters (8.5 GB) fit one array, but with their gradient and
        // Adam's two moments need 34 GB.
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.HiddenSize = 2048;
        options.NumberOfLayers = 64;
        var shape = new RnnNetworkShape(RnnCellType.Lstm, TestData.InputSize, 2048, 1, 64);
        if (MemoryEstimate.TrainingBytes(shape, new RnnTrainingOptions(), options.BatchSize, TestData.Steps) <= MemoryEstimate.AvailableBytes)
            Assert.Inconclusive("This machine has the memory for that network.");
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InsufficientMemoryException>(() => ml.Regression.Trainers.Rnn(options).Fit(data));
        Assert.IsLessThan(16L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        StringAssert.Contains(e.Message, "64 layer(s) of HiddenSize 2048");
        StringAssert.Contains(e.Message, "needs at least");
    }
}
