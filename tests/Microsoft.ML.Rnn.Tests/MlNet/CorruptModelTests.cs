using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Corrupt, truncated or hostile model data is rejected with a clear exception, without allocating much.</summary>
[TestClass]
public sealed class CorruptModelTests
{
    private const int Envelope = 12; // int64 payload length + uint32 CRC

    private static byte[]? s_model;

    /// <summary>A small multiclass model with key values and a history, written by the format writer.</summary>
    private static byte[] ModelBytes()
    {
        if (s_model is null)
        {
            var ml = new MLContext(1);
            IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne, rows: 24);
            RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 2);
            options.HiddenSize = 3;
            ITransformer model = TestData.Pipeline(ml, RnnTask.MulticlassClassification, options).Fit(data);
            s_model = Write(RoundTripTests.Find(model).Model);
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

    private static byte[]? s_decoderModel;

    /// <summary>A small N vs M multiclass model with attention and output feedback: a head settings section of 7 bytes.</summary>
    private static byte[] DecoderModelBytes()
    {
        if (s_decoderModel is null)
        {
            var ml = new MLContext(1);
            IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.EncoderDecoder, rows: 12);
            RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, RnnHead.EncoderDecoder, epochs: 2);
            options.HiddenSize = 3;
            options.Context = RnnContext.Attention;
            options.DecoderInput = RnnDecoderInput.EveryStep;
            options.FeedPreviousOutput = true;
            ITransformer model = TestData.Pipeline(ml, RnnTask.MulticlassClassification, options).Fit(data);
            s_decoderModel = Write(RoundTripTests.Find(model).Model);
        }

        return s_decoderModel;
    }

    private static RnnModelData Read(byte[] bytes, int? available = null, uint version = RnnModelFormat.CurrentVersion)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return RnnModelFormat.Read(reader, available ?? bytes.Length, version);
    }

    /// <summary>Changes payload bytes and fixes the checksum, so only the field checks can catch the change.</summary>
    private static byte[] Patch(int payloadOffset, Action<Span<byte>> change, byte[]? model = null)
    {
        byte[] bytes = (model ?? ModelBytes()).ToArray();
        change(bytes.AsSpan(Envelope + payloadOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Crc32.Compute(bytes.AsSpan(Envelope)));
        return bytes;
    }

    private static byte[] PatchInt(int payloadOffset, int value, byte[]? model = null) =>
        Patch(payloadOffset, s => BinaryPrimitives.WriteInt32LittleEndian(s, value), model);

    private static void AssertRejectedCheaply(byte[] bytes, string fragment, uint version = RnnModelFormat.CurrentVersion)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes, version: version));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        StringAssert.Contains(e.Message, "The RNN model is corrupt");
        StringAssert.Contains(e.Message, fragment);
        Assert.IsLessThan(1L << 20, allocated, $"allocated {allocated} bytes rejecting: {e.Message}");
    }

    [TestMethod]
    public void WriteReadWriteIsStable()
    {
        byte[] bytes = ModelBytes();
        CollectionAssert.AreEqual(bytes, Write(Read(bytes)));
    }

    [TestMethod]
    public void TruncationAtEveryOffsetIsRejected()
    {
        byte[] bytes = ModelBytes();
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] truncated = bytes[..length];
            Assert.Throws<InvalidDataException>(() => Read(truncated), $"truncated at {length}");
            // A reader told there is more than the stream holds fails the same way.
            Assert.Throws<InvalidDataException>(() => Read(truncated, bytes.Length), $"truncated at {length}, full length claimed");
        }
    }

    [TestMethod]
    public void FlippedByteAtEveryOffsetIsRejected()
    {
        byte[] bytes = ModelBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] flipped = bytes.ToArray();
            flipped[i] ^= 0x5A;
            Assert.Throws<InvalidDataException>(() => Read(flipped), $"flip at {i}");
        }
    }

    [TestMethod]
    public void TrailingBytesAreRejected()
    {
        byte[] bytes = ModelBytes();
        byte[] longer = [.. bytes, 0];
        // Extra bytes after the payload are not ours to read: the envelope bounds the payload.
        Assert.IsNotNull(Read(longer));
        byte[] padded = Patch(0, _ => { });
        byte[] withTail = [.. padded[..8], .. new byte[4], .. padded[Envelope..], 0];
        BinaryPrimitives.WriteInt64LittleEndian(withTail, withTail.Length - Envelope);
        BinaryPrimitives.WriteUInt32LittleEndian(withTail.AsSpan(8), Crc32.Compute(withTail.AsSpan(Envelope)));
        AssertRejectedCheaply(withTail, "unexpected bytes");
    }

    [TestMethod]
    public void HugeDeclaredSizesAreRejectedBeforeAllocating()
    {
        // Payload offsets: task 0, head 1, head settings length 2, cell 6, nonlinearity 7, input 8, hidden 12, output 16,
        // layers 20, bidirectional 24, dropout 25, scalar score 29, feature source 30, feature count 31, first name length 35.
        AssertRejectedCheaply(PatchInt(8, 1 << 16), "parameters");
        AssertRejectedCheaply(PatchInt(12, 1 << 16), "parameters");
        AssertRejectedCheaply(PatchInt(16, 1 << 16), "key value count");
        AssertRejectedCheaply(PatchInt(20, 64), "parameters");
        AssertRejectedCheaply(PatchInt(20, 65), "layers");
        AssertRejectedCheaply(PatchInt(8, int.MaxValue), "input size");
        AssertRejectedCheaply(PatchInt(12, -5), "hidden size");
        AssertRejectedCheaply(PatchInt(31, 1 << 16), "feature column count");
        AssertRejectedCheaply(Patch(30, s => { s[0] = 1; BinaryPrimitives.WriteInt32LittleEndian(s[1..], 1 << 16); }), "series columns");
        AssertRejectedCheaply(PatchInt(35, 1 << 20), "payload ends inside");
        AssertRejectedCheaply(PatchInt(35, int.MaxValue), "length of the feature column name");
        AssertRejectedCheaply(PatchInt(2, 1 << 30), "head settings length");
        AssertRejectedCheaply(Patch(6, s => s[0] = 9), "cell");
        AssertRejectedCheaply(Patch(24, s => s[0] = 2), "bidirectional");

        byte[] payload = ModelBytes()[Envelope..];
        int tensor = IndexOf(payload, "rnn.weight_ih_l0"u8) + "rnn.weight_ih_l0".Length;
        AssertRejectedCheaply(PatchInt(tensor + 4, int.MaxValue), "declares more values");
        AssertRejectedCheaply(PatchInt(tensor, 1000), "rank");
        AssertRejectedCheaply(PatchInt(tensor - "rnn.weight_ih_l0".Length - 8, 1_000_000), "tensor count");

        const int EpochBytes = 17; // epoch, train loss, has validation, validation loss, learning rate
        int history = payload.Length - 2 * EpochBytes - 4;
        AssertRejectedCheaply(PatchInt(history, int.MaxValue), "history");
    }

    [TestMethod]
    public void DecoderModelWriteReadWriteIsStableAndEveryDamageIsRejected()
    {
        byte[] bytes = DecoderModelBytes();
        CollectionAssert.AreEqual(bytes, Write(Read(bytes)));
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
    public void HeadSettingsSectionIsChecked()
    {
        // Payload offsets: task 0, head 1, head settings length 2, then the section: output length 6, context 10,
        // decoder input 11, output feedback 12; cell 13.
        byte[] decoder = DecoderModelBytes();
        Assert.AreEqual((byte)RnnHead.EncoderDecoder, decoder[Envelope + 1]);
        Assert.AreEqual(7, BinaryPrimitives.ReadInt32LittleEndian(decoder.AsSpan(Envelope + 2)));
        Assert.AreEqual(TestData.OutputLength, BinaryPrimitives.ReadInt32LittleEndian(decoder.AsSpan(Envelope + 6)));
        CollectionAssert.AreEqual(new byte[] { (byte)RnnContext.Attention, (byte)RnnDecoderInput.EveryStep, (byte)RnnOutputFeedback.Class },
            decoder[(Envelope + 10)..(Envelope + 13)]);

        // A wrong section length, for the head or at all.
        AssertRejectedCheaply(PatchInt(2, 0, decoder), "the head settings length is 0; expected 7 .. 7");
        AssertRejectedCheaply(PatchInt(2, 8, decoder), "the head settings length is 8; expected 7 .. 7");
        AssertRejectedCheaply(PatchInt(2, 7), "the head settings length is 7; expected 0 .. 0");
        AssertRejectedCheaply(Patch(1, s => s[0] = (byte)RnnHead.ManyToOne, decoder), "head settings length");
        // Values out of range, and undefined enum values.
        AssertRejectedCheaply(PatchInt(6, 0, decoder), "the output length is 0");
        AssertRejectedCheaply(PatchInt(6, int.MaxValue, decoder), "the output length is 2147483647");
        AssertRejectedCheaply(Patch(10, s => s[0] = 3, decoder), "the context is 3");
        AssertRejectedCheaply(Patch(11, s => s[0] = 3, decoder), "the decoder input is 3");
        AssertRejectedCheaply(Patch(12, s => s[0] = 4, decoder), "the output feedback is 4");
        // Defined values the shape's rules refuse together, or that do not fit the task.
        AssertRejectedCheaply(Patch(11, s => s[0] = (byte)RnnDecoderInput.InitialState, decoder), "the network shape is invalid: DecoderInput is InitialState with Context Attention");
        AssertRejectedCheaply(Patch(12, s => s[0] = (byte)RnnOutputFeedback.Value, decoder), "the output feedback is Value for a MulticlassClassification model; expected None or Class");
        // A section cut short: the payload ends inside it.
        byte[] cut = decoder[..(Envelope + 11)];
        BinaryPrimitives.WriteInt64LittleEndian(cut, 11);
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), Crc32.Compute(cut.AsSpan(Envelope)));
        AssertRejectedCheaply(cut, "the payload ends inside the decoder input");
    }

    [TestMethod]
    public void DecoderHeadsAreRejectedInEarlierFormats()
    {
        // 0x00010001 and 0x00010002 had two heads and no settings: a head byte of 2 or 3 there is damage.
        AssertRejectedCheaply(Patch(1, s => s[0] = (byte)RnnHead.OneToMany), "the head is OneToMany, which format 0x00010002 does not have", version: 0x00010002);
        AssertRejectedCheaply(DecoderModelBytes(), "the head is EncoderDecoder, which format 0x00010001 does not have", version: 0x00010001);
        // An older file of an original head still reads with the format it was written in (a file of that release: today's
        // bytes hold the 0x00010004 distribution section, which 0x00010002 did not have).
        byte[] entry = ModelZips.RnnEntry(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "0x00010002", "rnn-multiclass-series.zip")));
        Assert.AreEqual(RnnHead.ManyToOne, Read(entry[ModelZips.ModelOffset(entry)..], version: 0x00010002).Options.Head);
    }

    [TestMethod]
    public void HugePayloadLengthIsRejectedBeforeReading()
    {
        byte[] bytes = ModelBytes().ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(bytes, long.MaxValue);
        AssertRejectedCheaply(bytes, "payload length");
        BinaryPrimitives.WriteInt64LittleEndian(bytes, -1);
        AssertRejectedCheaply(bytes, "payload length");
    }

    [TestMethod]
    public void CorruptEntryInsideAZipIsRejectedByModelLoad()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);

        // Rewrite our entry with one payload byte flipped (the zip itself stays valid).
        using var corrupt = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(saved.ToArray()), ZipArchiveMode.Read))
        using (var target = new ZipArchive(corrupt, ZipArchiveMode.Create, leaveOpen: true))
        {
            bool found = false;
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                using var content = new MemoryStream();
                using (Stream s = entry.Open())
                    s.CopyTo(content);
                byte[] bytes = content.ToArray();
                if (IndexOf(bytes, "RNNTRANS"u8) >= 0)
                {
                    // Our payload writes column names as UTF-8 (ML.NET's own header does not).
                    int name = IndexOf(bytes, "Features"u8);
                    Assert.IsGreaterThanOrEqualTo(0, name);
                    bytes[name + 2] ^= 0x01;
                    found = true;
                }

                using Stream write = target.CreateEntry(entry.FullName).Open();
                write.Write(bytes);
            }

            Assert.IsTrue(found, "the RNN entry was not found in the zip");
        }

        corrupt.Position = 0;
        Exception e = Assert.Throws<Exception>(() => new MLContext(2).Model.Load(corrupt, out _));
        Assert.IsTrue(Chain(e).Any(x => x is InvalidDataException && x.Message.Contains("checksum")), string.Join(" <- ", Chain(e).Select(x => x.GetType().Name + ": " + x.Message)));
    }

    [TestMethod]
    public void TruncatedZipFilesAreRejected()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);
        byte[] zip = saved.ToArray();
        for (int length = 0; length < zip.Length; length += Math.Max(1, zip.Length / 40))
            Assert.Throws<Exception>(() => new MLContext(2).Model.Load(new MemoryStream(zip[..length]), out _), $"truncated at {length}");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            yield return x;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
