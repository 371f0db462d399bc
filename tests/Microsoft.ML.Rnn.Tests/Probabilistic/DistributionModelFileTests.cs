using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.Probabilistic;

/// <summary>
/// The distribution section of model format 0x00010004: it round-trips, a point model keeps it to one byte, every field
/// that would change the intervals silently is checked, and ONNX export refuses a distribution model by name.
/// </summary>
[TestClass]
public sealed class DistributionModelFileTests
{
    private const int Envelope = 12;
    private const float Level = 0.8f;

    private static (byte[] Bytes, RnnModelData Model) s_model;

    private static (byte[] Bytes, RnnModelData Model) Model()
    {
        if (s_model.Bytes is null)
        {
            var ml = new MLContext(1);
            IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 24);
            RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 2);
            options.Distribution = RnnDistribution.StudentT;
            options.ConfidenceLevel = Level;
            options.ValidationSet = data;
            RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
            s_model = (Write(model.Model), model.Model);
        }

        return s_model;
    }

    private static byte[] Write(RnnModelData model)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            RnnModelFormat.Write(writer, model);
        return stream.ToArray();
    }

    private static RnnModelData Read(byte[] bytes, uint version = RnnModelFormat.CurrentVersion)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return RnnModelFormat.Read(reader, bytes.Length, version);
    }

    /// <summary>The payload offset of the distribution byte: found by its written contents (distribution, level, calibrated, factor).</summary>
    private static int SectionOffset(byte[] bytes, RnnModelData model)
    {
        var section = new byte[10];
        section[0] = (byte)RnnDistribution.StudentT;
        BinaryPrimitives.WriteSingleLittleEndian(section.AsSpan(1), Level);
        section[5] = 1;
        BinaryPrimitives.WriteSingleLittleEndian(section.AsSpan(6), model.IntervalCalibrationFactor!.Value);
        int at = bytes.AsSpan(Envelope).IndexOf(section);
        Assert.IsGreaterThan(0, at, "the distribution section is in the payload");
        return at;
    }

    private static byte[] Patch(int payloadOffset, Action<Span<byte>> change)
    {
        byte[] bytes = Model().Bytes.ToArray();
        change(bytes.AsSpan(Envelope + payloadOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Crc32.Compute(bytes.AsSpan(Envelope)));
        return bytes;
    }

    private static void AssertRejected(byte[] bytes, string fragment)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes));
        StringAssert.Contains(e.Message, "The RNN model is corrupt");
        StringAssert.Contains(e.Message, fragment);
    }

    [TestMethod]
    public void DistributionLevelAndFactorRoundTripAndRewriteIdentically()
    {
        (byte[] bytes, RnnModelData model) = Model();
        RnnModelData read = Read(bytes);
        Assert.AreEqual(RnnDistribution.StudentT, read.Network.Shape.Distribution);
        Assert.AreEqual(RnnDistribution.StudentT, read.Options.Distribution);
        Assert.AreEqual(Level, read.Options.ConfidenceLevel);
        Assert.IsTrue(read.Options.CalibrateIntervals);
        Assert.AreEqual(model.IntervalCalibrationFactor, read.IntervalCalibrationFactor);
        CollectionAssert.AreEqual(bytes, Write(read));
        _ = SectionOffset(bytes, model);
    }

    [TestMethod]
    public void EveryTruncationAndFlippedByteIsRejected()
    {
        byte[] bytes = Model().Bytes;
        for (int length = 0; length < bytes.Length; length++)
            Assert.Throws<InvalidDataException>(() => Read(bytes[..length]), $"truncated at {length}");
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] flipped = bytes.ToArray();
            flipped[i] ^= 0x5A;
            Assert.Throws<InvalidDataException>(() => Read(flipped), $"flip at {i}");
        }
    }

    [TestMethod]
    public void AnUndefinedDistributionIsRejected()
    {
        int at = SectionOffset(Model().Bytes, Model().Model);
        AssertRejected(Patch(at, s => s[0] = 9), "distribution");
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1f)]
    [DataRow(1.5f)]
    [DataRow(float.NaN)]
    public void AConfidenceLevelOutsideTheOpenUnitIntervalIsRejected(float level)
    {
        int at = SectionOffset(Model().Bytes, Model().Model);
        AssertRejected(Patch(at + 1, s => BinaryPrimitives.WriteSingleLittleEndian(s, level)), "the confidence level is");
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(-2f)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NaN)]
    public void ANonPositiveOrNonFiniteFactorIsRejected(float factor)
    {
        int at = SectionOffset(Model().Bytes, Model().Model);
        AssertRejected(Patch(at + 6, s => BinaryPrimitives.WriteSingleLittleEndian(s, factor)), "the calibration factor is");
    }

    [TestMethod]
    public void AFactorOtherThanOneForUncalibratedIntervalsIsRejected()
    {
        int at = SectionOffset(Model().Bytes, Model().Model);
        AssertRejected(Patch(at + 5, s => s[0] = 0), "not calibrated; expected 1");
    }

    [TestMethod]
    public void APointModelsSectionIsOneZeroByteAndEarlierFormatsHaveNone()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 24);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(RnnCellType.Gru, epochs: 1)).Fit(data);
        byte[] bytes = Write(model.Model);
        RnnModelData read = Read(bytes);
        Assert.AreEqual(RnnDistribution.None, read.Network.Shape.Distribution);
        Assert.IsNull(read.IntervalCalibrationFactor);
        // The same payload read as format 0x00010003 lacks that one byte: the reader then finds one byte too many.
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes, RnnModelFormat.DecoderVersion));
        StringAssert.Contains(e.Message, "corrupt");
    }

    [TestMethod]
    public void OnnxExportRefusesADistributionByName()
    {
        foreach (RnnDistribution distribution in new[] { RnnDistribution.Normal, RnnDistribution.StudentT })
        {
            var shape = new RnnNetworkShape(RnnCellType.Lstm, 2, 3, 1) { Distribution = distribution };
            var e = Assert.ThrowsExactly<NotSupportedException>(() => RnnOnnxSupport.ThrowIfUnsupported(shape, RnnTask.Regression));
            StringAssert.Contains(e.Message, $"does not support distribution {distribution}");
        }

        // Through ML.NET's converter, as a user calls it.
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 16);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 1);
        options.Distribution = RnnDistribution.Normal;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        using var stream = new MemoryStream();
        var refusal = Assert.Throws<Exception>(() => ml.Model.ConvertToOnnx(model, data, stream));
        StringAssert.Contains(refusal.GetBaseException().Message, "distribution Normal");
    }
}
