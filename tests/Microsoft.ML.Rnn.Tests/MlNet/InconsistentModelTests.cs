using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// Model files whose fields disagree with each other, with a valid checksum (written by the format writer, which
/// trusts its caller): the reader rejects them, since scoring them would be silently wrong.
/// </summary>
[TestClass]
public sealed class InconsistentModelTests
{
    private static byte[] Write(RnnTask task, RnnHead head, int outputs, bool scalarScore, string[]? series = null, RnnLabelStandardization? labels = null)
    {
        int inputs = series?.Length ?? 2;
        var shape = new RnnNetworkShape(RnnCellType.Gru, inputs, HiddenSize: 3, outputs, Head: head);
        var model = new RnnModelData
        {
            Options = new RnnTrainer.Options { Task = task, Head = head, InputSize = inputs },
            FeatureColumns = series ?? ["Features"],
            IsSeries = series is not null,
            ScalarScore = scalarScore,
            LabelStandardization = labels,
            Network = new RnnNetwork(shape, seed: 1),
            History = [new RnnEpochReport(1, 0.5f, null, double.NaN)],
        };
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            RnnModelFormat.Write(writer, model);
        return stream.ToArray();
    }

    private static RnnModelData Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return RnnModelFormat.Read(reader, bytes.Length);
    }

    private static void AssertRejected(byte[] bytes, string fragment)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes));
        StringAssert.Contains(e.Message, "The RNN model is corrupt");
        StringAssert.Contains(e.Message, fragment);
    }

    [TestMethod]
    public void ConsistentFilesAreRead()
    {
        Assert.IsTrue(Read(Write(RnnTask.Regression, RnnHead.ManyToOne, outputs: 1, scalarScore: true)).ScalarScore);
        Assert.AreEqual(5, Read(Write(RnnTask.Regression, RnnHead.ManyToOne, outputs: 5, scalarScore: false)).OutputSize);
        Assert.AreEqual(1, Read(Write(RnnTask.BinaryClassification, RnnHead.ManyToMany, outputs: 1, scalarScore: false)).OutputSize);
        Assert.AreEqual(2, Read(Write(RnnTask.MulticlassClassification, RnnHead.ManyToOne, outputs: 2, scalarScore: false)).OutputSize);
        Assert.AreEqual(3, Read(Write(RnnTask.Regression, RnnHead.ManyToOne, outputs: 1, scalarScore: true, series: ["a", "b", "c"])).InputSize);
    }

    [TestMethod]
    public void ScalarScoreOnlyForRegressionManyToOneWithOneOutput()
    {
        // Scoring would make Score output 0 of five and drop the others.
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToOne, outputs: 5, scalarScore: true), "scalar score");
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 1, scalarScore: true), "scalar score");
        AssertRejected(Write(RnnTask.BinaryClassification, RnnHead.ManyToOne, outputs: 1, scalarScore: true), "scalar score");
    }

    [TestMethod]
    public void ScalarScoreFlagPatchedIntoAMulticlassFileIsRejected()
    {
        byte[] bytes = Write(RnnTask.MulticlassClassification, RnnHead.ManyToOne, outputs: 3, scalarScore: false);
        const int Envelope = 12, ScalarScore = 29; // payload offsets: docs/model-format.md
        bytes[Envelope + ScalarScore] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Crc32.Compute(bytes.AsSpan(Envelope)));
        AssertRejected(bytes, "scalar score");
    }

    [TestMethod]
    public void OutputSizeMustFitTheTask()
    {
        AssertRejected(Write(RnnTask.MulticlassClassification, RnnHead.ManyToOne, outputs: 1, scalarScore: false), "at least 2");
        AssertRejected(Write(RnnTask.BinaryClassification, RnnHead.ManyToOne, outputs: 3, scalarScore: false), "expected 1");
        AssertRejected(Write(RnnTask.BinaryClassification, RnnHead.ManyToMany, outputs: 2, scalarScore: false), "expected 1");
    }

    [TestMethod]
    public void LabelStatisticsOnlyForRegressionAndUsable()
    {
        RnnLabelStandardization Labels(float mean, float deviation) => new([mean, mean], [deviation, deviation]);
        RnnModelData read = Read(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: Labels(1000, 20)));
        CollectionAssert.AreEqual(new[] { 20f, 20f }, read.LabelStandardization!.StandardDeviation);

        // Each would scale every score silently: by the wrong task's statistics, by zero, by NaN.
        AssertRejected(Write(RnnTask.MulticlassClassification, RnnHead.ManyToOne, outputs: 2, scalarScore: false, labels: Labels(0, 1)), "label statistics are stored for a MulticlassClassification model");
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: Labels(1000, 0)), "standard deviation of output 0 is 0");
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: Labels(1000, -1)), "standard deviation");
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: Labels(1000, float.PositiveInfinity)), "standard deviation");
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: Labels(float.NaN, 1)), "label mean of output 0 is NaN");
        // One pair of statistics for two outputs: the reader takes the output size's count and runs into the tensors.
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToMany, outputs: 2, scalarScore: false, labels: new RnnLabelStandardization([5], [1])), "corrupt");
    }

    [TestMethod]
    public void SeriesColumnsAreDistinct() =>
        AssertRejected(Write(RnnTask.Regression, RnnHead.ManyToOne, outputs: 1, scalarScore: true, series: ["a", "b", "a"]), "'a' appears twice");
}
