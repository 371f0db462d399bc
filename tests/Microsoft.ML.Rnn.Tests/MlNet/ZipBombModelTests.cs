using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// A model zip of about a megabyte whose RNN entry declares, and really holds once inflated, a payload of 1 GiB (the
/// real model followed by zeros): the reader must reject it from the bytes of the real model, without reading or
/// allocating the rest.
/// </summary>
[TestClass]
public sealed class ZipBombModelTests
{
    private const long DeclaredPayload = 1L << 30;

    private static byte[]? s_bomb;

    /// <summary>ML.NET's header made to declare the long model, our envelope declaring a 1 GiB payload, the real payload, zeros, ML.NET's tail.</summary>
    private static byte[] Bomb()
    {
        s_bomb ??= ModelZips.WithRnnEntry(ModelZips.Regression(), (entry, stream) =>
        {
            int model = ModelZips.ModelOffset(entry);
            long cbModel = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(ModelZips.CbModel));
            long payload = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(model));
            long grow = DeclaredPayload - payload;

            // The header's offsets past the model move by what the model grows; it then describes a valid entry.
            byte[] header = entry[..model];
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ModelZips.CbModel), cbModel + grow);
            foreach (int field in new[] { ModelZips.FpStringTable, ModelZips.FpStringChars, ModelZips.FpTail, ModelZips.FpLim, ModelZips.FpAssemblyName })
            {
                long offset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(field));
                if (offset != 0)
                    BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(field), offset + grow);
            }

            stream.Write(header);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, DeclaredPayload);
            stream.Write(length);
            stream.Write(entry.AsSpan(model + 8, (int)(cbModel - 8))); // the checksum and the real payload
            var zeros = new byte[1 << 16];
            for (long left = grow; left > 0; left -= zeros.Length)
                stream.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
            stream.Write(entry.AsSpan(model + (int)cbModel));
        });
        return s_bomb;
    }

    [TestMethod]
    public void BombIsSmallOnDisk() => Assert.IsLessThan(4L << 20, Bomb().LongLength);

    [TestMethod]
    public void ReaderRejectsTheBombEntryQuicklyWithoutAllocatingIt()
    {
        byte[] bomb = Bomb();
        using var archive = new ZipArchive(new MemoryStream(bomb), ZipArchiveMode.Read);
        ZipArchiveEntry entry = archive.Entries.Single(e => e.Length > DeclaredPayload);
        using Stream stream = entry.Open(); // inflates as it is read: the 1 GiB is there if the reader asks for it
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        byte[] header = reader.ReadBytes(ModelZips.HeaderBytes);
        long declared = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(ModelZips.CbModel));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => RnnModelFormat.Read(reader, declared));
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        StringAssert.Contains(e.Message, "The RNN model");
        Assert.IsLessThan(50L << 20, allocated, $"allocated {allocated} bytes rejecting: {e.Message}");
        Assert.IsLessThan(100, watch.ElapsedMilliseconds, $"took {watch.ElapsedMilliseconds} ms rejecting: {e.Message}");
    }

    [TestMethod]
    public void ModelLoadRejectsTheBombWithInvalidDataException()
    {
        byte[] bomb = Bomb();
        var ml = new MLContext(2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        Exception e = Assert.Throws<Exception>(() => ml.Model.Load(new MemoryStream(bomb), out _));
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.IsInstanceOfType<InvalidDataException>(e.GetBaseException(), ModelZips.Describe(e));
        StringAssert.Contains(e.GetBaseException().Message, "The RNN model");
        Assert.IsLessThan(50L << 20, allocated, $"allocated {allocated} bytes in {watch.ElapsedMilliseconds} ms: {ModelZips.Describe(e)}");
        Console.WriteLine($"Model.Load rejected the bomb in {watch.ElapsedMilliseconds} ms, allocating {allocated} bytes: {ModelZips.Describe(e)}");
    }
}
