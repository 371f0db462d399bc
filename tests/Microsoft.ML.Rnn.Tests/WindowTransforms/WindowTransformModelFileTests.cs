using Microsoft.ML.Data;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.WindowTransforms;

/// <summary>The two transforms save and load through ML.NET model files; a damaged entry fails with <see cref="InvalidDataException"/>.</summary>
[TestClass]
public sealed class WindowTransformModelFileTests
{
    private const int Envelope = 12; // int64 payload length + uint32 CRC

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Score { get; set; }

        public float WindowReference { get; set; }
    }

    private static IDataView Input(MLContext ml) =>
        ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 2, 3, 4], Label = 5, Score = 0.5f, WindowReference = 4 } });

    private static byte[] Save(Func<MLContext, IDataView, ITransformer> fit)
    {
        var ml = new MLContext(1);
        IDataView input = Input(ml);
        using var stream = new MemoryStream();
        ml.Model.Save(fit(ml, input), input.Schema, stream);
        return stream.ToArray();
    }

    private static byte[] Normalizer() =>
        Save((ml, input) => ml.Transforms.NormalizeSequenceWindow("Features", featuresPerStep: 2, referenceFeature: 1).Fit(input));

    private static byte[] Denormalizer() => Save((ml, input) => ml.Transforms.DenormalizeSequenceForecast().Fit(input));

    public static IEnumerable<object[]> Kinds() => [["SQWINNRM"], ["SQFCDNRM"]];

    private static byte[] Saved(string signature) => signature == "SQWINNRM" ? Normalizer() : Denormalizer();

    /// <summary>A copy of <paramref name="zip"/> whose entry holding <paramref name="signature"/> <paramref name="change"/> edits.</summary>
    private static byte[] WithEntryChanged(byte[] zip, string signature, Func<byte[], byte[]> change)
    {
        byte[] marker = System.Text.Encoding.ASCII.GetBytes(signature);
        using var result = new MemoryStream();
        bool found = false;
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                using var content = new MemoryStream();
                using (Stream s = entry.Open())
                    s.CopyTo(content);
                byte[] bytes = content.ToArray();
                bool ours = bytes.AsSpan().IndexOf(marker) >= 0;
                found |= ours;
                using Stream output = target.CreateEntry(entry.FullName).Open();
                output.Write(ours ? change(bytes) : bytes);
            }
        }

        Assert.IsTrue(found, $"the {signature} entry was not found");
        return result.ToArray();
    }

    /// <summary>Edits the payload and, when <paramref name="fixChecksum"/>, repairs its CRC so only the field checks can catch it.</summary>
    private static Func<byte[], byte[]> Payload(Action<Span<byte>> edit, bool fixChecksum) => entry =>
    {
        byte[] copy = entry.ToArray();
        int model = ModelZips.ModelOffset(copy);
        long length = BinaryPrimitives.ReadInt64LittleEndian(copy.AsSpan(model));
        Span<byte> payload = copy.AsSpan(model + Envelope, (int)length);
        edit(payload);
        if (fixChecksum)
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(model + 8), Crc32.Compute(payload));
        return copy;
    };

    private static void AssertCorrupt(byte[] file, string fragment)
    {
        Exception e = Assert.Throws<Exception>(() => new MLContext(2).Model.Load(new MemoryStream(file), out _));
        string chain = ModelZips.Describe(e);
        Assert.IsInstanceOfType<TargetInvocationException>(e, chain);
        Assert.IsInstanceOfType<InvalidDataException>(e.GetBaseException(), chain);
        StringAssert.Contains(e.GetBaseException().Message, fragment, chain);
    }

    [TestMethod]
    public void BothLoadInAFreshContextAndTransformAsBefore()
    {
        var ml = new MLContext(3);
        IDataView normalized = ml.Model.Load(new MemoryStream(Normalizer()), out _).Transform(Input(ml));
        CollectionAssert.AreEqual(
            new[] { SequenceWindowNormalizer.Normalize(1, 3), SequenceWindowNormalizer.Normalize(2, 4), SequenceWindowNormalizer.Normalize(3, 3), SequenceWindowNormalizer.Normalize(4, 4) },
            normalized.GetColumn<float[]>("Features").Single());
        Assert.AreEqual(4f, normalized.GetColumn<float>("WindowReference").Single());
        Assert.AreEqual(SequenceWindowNormalizer.Normalize(5, 4), normalized.GetColumn<float>("Label").Single());

        IDataView denormalized = ml.Model.Load(new MemoryStream(Denormalizer()), out _).Transform(Input(ml));
        Assert.AreEqual(SequenceWindowNormalizer.Denormalize(0.5f, 4), denormalized.GetColumn<float>("Score").Single());
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void AChangedByteFailsTheChecksum(string signature)
    {
        // The last name's last character: still valid UTF-8, so only the checksum can catch it.
        byte[] file = WithEntryChanged(Saved(signature), signature, Payload(p => p[^2] ^= 0x40, fixChecksum: false));
        AssertCorrupt(file, "checksum");
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void ATruncatedPayloadIsRejected(string signature)
    {
        // The entry keeps ML.NET's layout; only our length field says the payload is longer, or shorter, than written.
        foreach (long delta in new long[] { 1, -1, -4 })
        {
            byte[] file = WithEntryChanged(Saved(signature), signature, entry =>
            {
                byte[] copy = entry.ToArray();
                int model = ModelZips.ModelOffset(copy);
                BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(model), BinaryPrimitives.ReadInt64LittleEndian(copy.AsSpan(model)) + delta);
                return copy;
            });
            AssertCorrupt(file, "The RNN model is corrupt");
        }
    }

    [TestMethod]
    public void EveryNormalizerFieldIsChecked()
    {
        // Payload: byte normalisation, int32 features per step, int32 reference feature, then four strings.
        AssertCorrupt(WithEntryChanged(Normalizer(), "SQWINNRM", Payload(p => p[0] = 0, fixChecksum: true)), "normalisation");
        AssertCorrupt(WithEntryChanged(Normalizer(), "SQWINNRM", Payload(p => p[0] = 3, fixChecksum: true)), "normalisation");
        AssertCorrupt(WithEntryChanged(Normalizer(), "SQWINNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[1..], 0), fixChecksum: true)), "features per step");
        AssertCorrupt(WithEntryChanged(Normalizer(), "SQWINNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[5..], 2), fixChecksum: true)), "reference feature");
        AssertCorrupt(WithEntryChanged(Normalizer(), "SQWINNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[9..], 0), fixChecksum: true)), "input column name");
    }

    [TestMethod]
    public void EveryDenormalizerFieldIsChecked()
    {
        // Payload: string reference column ("WindowReference", 4 + 15 bytes), int32 column count, then per column two strings and a flag.
        const int Count = 4 + 15;
        AssertCorrupt(WithEntryChanged(Denormalizer(), "SQFCDNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p, 0), fixChecksum: true)), "reference column name");
        AssertCorrupt(WithEntryChanged(Denormalizer(), "SQFCDNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[Count..], 0), fixChecksum: true)), "forecast column count");
        AssertCorrupt(WithEntryChanged(Denormalizer(), "SQFCDNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[Count..], 65), fixChecksum: true)), "forecast column count");
        AssertCorrupt(WithEntryChanged(Denormalizer(), "SQFCDNRM", Payload(p => p[^1] = 2, fixChecksum: true)), "optional column");
        AssertCorrupt(WithEntryChanged(Denormalizer(), "SQFCDNRM", Payload(p => BinaryPrimitives.WriteInt32LittleEndian(p[(Count + 4)..], 0), fixChecksum: true)), "forecast output column name");
    }
}
