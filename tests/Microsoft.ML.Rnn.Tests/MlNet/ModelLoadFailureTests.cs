using System.Buffers.Binary;
using System.Reflection;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// What <c>mlContext.Model.Load</c> throws for each kind of damage to a saved RNN model, as docs/api.md ("Errors")
/// and docs/model-format.md say: ML.NET's own failures for the zip and its header; for anything in the RNN entry's
/// part, an <see cref="InvalidDataException"/> that <see cref="Exception.GetBaseException"/> finds.
/// </summary>
[TestClass]
public sealed class ModelLoadFailureTests
{
    private static Exception Load(byte[] file) =>
        Assert.Throws<Exception>(() => new MLContext(2).Model.Load(new MemoryStream(file), out _));

    /// <summary>The RNN loader's failure: ML.NET's reflection wraps it once, and nothing is under it.</summary>
    private static void AssertRnnFailure(Exception e, string fragment)
    {
        string chain = ModelZips.Describe(e);
        Assert.IsInstanceOfType<TargetInvocationException>(e, chain);
        Assert.IsInstanceOfType<InvalidDataException>(e.InnerException, chain);
        Assert.AreSame(e.InnerException, e.GetBaseException(), chain);
        StringAssert.Contains(e.GetBaseException().Message, "The RNN model", chain);
        StringAssert.Contains(e.GetBaseException().Message, fragment, chain);
    }

    [TestMethod]
    public void TruncatedZipOrNonZipFileIsMlNetFormatException()
    {
        byte[] zip = ModelZips.Regression();
        foreach (byte[] file in new[] { zip[..(zip.Length / 2)], zip[..^1], "not a model"u8.ToArray() })
        {
            Exception e = Load(file);
            Assert.IsInstanceOfType<FormatException>(e, ModelZips.Describe(e));
            Assert.IsInstanceOfType<InvalidDataException>(e.InnerException, ModelZips.Describe(e)); // System.IO.Compression's
        }
    }

    [TestMethod]
    public void DamagedMlNetHeaderIsMlNetFormatException()
    {
        byte[] zip = ModelZips.Regression();
        foreach (int offset in new[] { 0x00, ModelZips.CbModel, ModelZips.FpTail })
        {
            Exception e = Load(ModelZips.WithRnnEntryChanged(zip, entry => entry[offset] ^= 0x5A));
            Assert.IsInstanceOfType<FormatException>(e, ModelZips.Describe(e));
            Assert.AreSame(e, e.GetBaseException(), ModelZips.Describe(e));
        }
    }

    [TestMethod]
    public void DamagedLoaderAssemblyNameIsFileNotFoundOrFileLoadException()
    {
        byte[] zip = ModelZips.Regression();
        byte[] entry = ModelZips.RnnEntry(zip);
        int name = (int)BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(ModelZips.FpAssemblyName));
        // The simple name, "Microsoft.ML.Rnn" in UTF-16 (the low byte of each character); the runtime binds by it.
        for (int offset = name; offset < name + (2 * "Microsoft.ML.Rnn".Length); offset += 2)
        {
            Exception e = Load(ModelZips.WithRnnEntryChanged(zip, bytes => bytes[offset] ^= 0x5A));
            Assert.IsTrue(e.GetBaseException() is FileNotFoundException or FileLoadException, ModelZips.Describe(e));
        }
    }

    [TestMethod]
    public void DamagedRnnEntryHeaderIsInvalidDataException()
    {
        byte[] zip = ModelZips.Regression();
        const int ModelSignature = 0x40, ModelVerReadable = 0x4C;
        AssertRnnFailure(Load(ModelZips.WithRnnEntryChanged(zip, entry => entry[ModelSignature] ^= 0x5A)), "entry header");
        AssertRnnFailure(Load(ModelZips.WithRnnEntryChanged(zip, entry => entry[ModelVerReadable] ^= 0x5A)), "entry header");
    }

    [TestMethod]
    public void DamagedPayloadIsInvalidDataException()
    {
        byte[] zip = ModelZips.Regression();
        AssertRnnFailure(Load(ModelZips.WithRnnEntryChanged(zip, entry => entry[ModelZips.ModelOffset(entry) + 1] ^= 0x5A)), "payload length");

        // The name of the first column written into our payload (ML.NET's strings are UTF-16): only the checksum sees it.
        AssertRnnFailure(Load(ModelZips.WithRnnEntryChanged(zip, entry => entry[entry.AsSpan().IndexOf("Features"u8) + 2] ^= 0x01)), "checksum");

        // A non-finite weight with a valid checksum: the network rejects it, and that is reported as the file's fault.
        AssertRnnFailure(Load(ModelZips.WithRnnEntryChanged(zip, entry =>
        {
            int model = ModelZips.ModelOffset(entry);
            int name = entry.AsSpan().IndexOf("rnn.weight_ih_l0"u8) + "rnn.weight_ih_l0".Length;
            int rank = BinaryPrimitives.ReadInt32LittleEndian(entry.AsSpan(name));
            BinaryPrimitives.WriteSingleLittleEndian(entry.AsSpan(name + 4 + (4 * rank)), float.NaN);
            int length = (int)BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(model));
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(model + 8), Crc32.Compute(entry.AsSpan(model + 12, length)));
        })), "rnn.weight_ih_l0");
    }
}
