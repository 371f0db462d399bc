using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// A scoring thread does not keep the buffers of the longest sequence it has seen: a thread pool's threads live as
/// long as the server, and 16 of them once held 1 GB after one 65,536-step row each.
/// </summary>
[TestClass]
public sealed class PredictionRetentionTests
{
    [TestMethod]
    [DoNotParallelize] // measures the whole heap
    public void LongSequenceBuffersAreNotKeptByTheThread()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 5, 64, 1), seed: 22);
        var output = new float[1];
        float[] normal = Data.Random(30 * 5, seed: 23);
        network.Predict(normal, output);
        long baseline = GC.GetTotalMemory(forceFullCollection: true);

        // About 2 KB of buffers per step: 65,536 steps grow this thread's workspace past 100 MB for the call.
        network.Predict(Data.Random(65_536 * 5, seed: 24), output);
        long retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.IsLessThan(8L << 20, retained, $"the thread kept {retained:N0} bytes after the long sequence");

        // A sequence of normal length is still allocation-free once it has run again.
        network.Predict(normal, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        network.Predict(normal, output);
        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before);
        GC.KeepAlive(network);
    }
}
