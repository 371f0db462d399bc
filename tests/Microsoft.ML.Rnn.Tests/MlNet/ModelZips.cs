using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// Saved model zips, and damaged copies of them, for the tests of what a hostile or broken file does to
/// <c>mlContext.Model.Load</c>.
/// </summary>
internal static class ModelZips
{
    /// <summary>Offsets of fields in ML.NET's 256-byte model header (Microsoft.ML.Core, ModelHeader.cs).</summary>
    public const int HeaderBytes = 0x100, FpModel = 0x10, CbModel = 0x18, FpStringTable = 0x20, FpStringChars = 0x30,
        FpTail = 0x80, FpLim = 0x88, FpAssemblyName = 0x90;

    private static byte[]? s_regression;

    /// <summary>A small regression pipeline (one RNN transformer) saved by <c>mlContext.Model.Save</c>.</summary>
    public static byte[] Regression()
    {
        if (s_regression is null)
        {
            var ml = new MLContext(1);
            IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 8);
            ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(data);
            using var saved = new MemoryStream();
            ml.Model.Save(model, data.Schema, saved);
            s_regression = saved.ToArray();
        }

        return s_regression;
    }

    /// <summary>The RNN transformer's entry of <paramref name="zip"/>: ML.NET's header, our model, ML.NET's strings and tail.</summary>
    public static byte[] RnnEntry(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            byte[] bytes = Read(entry);
            if (IsRnnEntry(bytes))
                return bytes;
        }

        throw new AssertFailedException("the RNN entry was not found in the zip");
    }

    /// <summary>A copy of <paramref name="zip"/> whose RNN entry <paramref name="write"/> writes, given the original entry.</summary>
    public static byte[] WithRnnEntry(byte[] zip, Action<byte[], Stream> write)
    {
        using var result = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                byte[] bytes = Read(entry);
                using Stream stream = target.CreateEntry(entry.FullName, CompressionLevel.SmallestSize).Open();
                if (IsRnnEntry(bytes))
                    write(bytes, stream);
                else
                    stream.Write(bytes);
            }
        }

        return result.ToArray();
    }

    /// <summary>A copy of <paramref name="zip"/> with the RNN entry's bytes changed by <paramref name="change"/>.</summary>
    public static byte[] WithRnnEntryChanged(byte[] zip, Action<byte[]> change) =>
        WithRnnEntry(zip, (entry, stream) =>
        {
            byte[] copy = entry.ToArray();
            change(copy);
            stream.Write(copy);
        });

    /// <summary>Where our model data (payload length, checksum, payload) starts in an entry.</summary>
    public static int ModelOffset(byte[] entry) => checked((int)BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(FpModel)));

    /// <summary>The loader's exception chain, outermost first, as one line for assertion messages.</summary>
    public static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            parts.Add($"{x.GetType().Name}: {x.Message}");
        return string.Join(" <- ", parts);
    }

    private static bool IsRnnEntry(byte[] bytes) => bytes.AsSpan().IndexOf("RNNTRANS"u8) >= 0;

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var content = new MemoryStream();
        using (Stream s = entry.Open())
            s.CopyTo(content);
        return content.ToArray();
    }
}
