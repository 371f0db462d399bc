using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// Shapes whose parameters do not fit one array are refused by <see cref="RnnNetworkShape.Validate()"/>, naming the
/// option and what it would need, instead of overflowing into an <see cref="OverflowException"/>, a GEMM's
/// <see cref="ArgumentException"/>, a zero-length tensor or an out-of-memory.
/// </summary>
[TestClass]
public sealed class ParameterLimitTests
{
    [TestMethod]
    [DataRow(RnnCellType.Lstm, 23_171, 1, false)]
    [DataRow(RnnCellType.Gru, 26_755, 1, false)]
    [DataRow(RnnCellType.Rnn, 46_341, 1, false)]
    [DataRow(RnnCellType.Lstm, 65_536, 1, false)]
    [DataRow(RnnCellType.Lstm, 2_048, 64, true)]
    public void ShapeTooLargeForOneArrayIsRefusedUpFront(RnnCellType cell, int hidden, int layers, bool bidirectional)
    {
        var shape = new RnnNetworkShape(cell, 1, hidden, 1, layers, bidirectional);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<ArgumentException>(() => new RnnNetwork(shape, seed: 1));
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before, "refused before allocating the parameters");
        Assert.AreEqual("HiddenSize", e.ParamName);
        StringAssert.Contains(e.Message, $"HiddenSize is {hidden},");
        StringAssert.Contains(e.Message, "parameters; expected at most 2,147,483,591 parameters");
        StringAssert.Contains(e.Message, "lower HiddenSize or NumberOfLayers");
        Assert.ThrowsExactly<ArgumentException>(shape.Validate);
    }

    [TestMethod]
    public void MessageSaysWhatTheShapeNeeds()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(new RnnNetworkShape(RnnCellType.Lstm, 1, 65_536, 1).Validate);
        // 4·65536·(1 + 65536 + 2) + (65536 + 1) for the head.
        StringAssert.Contains(e.Message, "needs 17,180,721,153 parameters");
    }

    [TestMethod]
    [DataRow(RnnCellType.Lstm, 3, 7, 2, 2, true, RnnHead.ManyToOne)]
    [DataRow(RnnCellType.Gru, 5, 4, 3, 3, false, RnnHead.ManyToMany)]
    [DataRow(RnnCellType.Rnn, 1, 9, 1, 1, true, RnnHead.ManyToMany)]
    public void CountMatchesTheLayout(RnnCellType cell, int input, int hidden, int output, int layers, bool bidirectional, RnnHead head)
    {
        var network = new RnnNetwork(new RnnNetworkShape(cell, input, hidden, output, layers, bidirectional, Head: head), seed: 1);
        Assert.AreEqual(network.Parameters.Length, network.Shape.ParameterCount);
    }

    [TestMethod]
    public void LargestShapeThatFitsIsAccepted()
    {
        // LSTM, input 1, output 1: 4·h·(h + 3) + h + 1 parameters; h = 23,168 gives 2,147,326,081, which fits; 23,169 gives 2,147,511,442, which does not.
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 1, 23_168, 1);
        shape.Validate();
        Assert.IsLessThanOrEqualTo((long)Array.MaxLength, shape.ParameterCount);
        Assert.ThrowsExactly<ArgumentException>(new RnnNetworkShape(RnnCellType.Lstm, 1, 23_169, 1).Validate);
    }
}
