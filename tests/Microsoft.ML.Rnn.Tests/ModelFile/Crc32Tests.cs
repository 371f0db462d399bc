using System.Text;

namespace Microsoft.ML.Rnn.Tests.ModelFile;

/// <summary>The model payload's CRC-32: the standard check value, and the same result however the bytes are chunked.</summary>
[TestClass]
public sealed class Crc32Tests
{
    [TestMethod]
    public void CheckValueIsTheStandardOne() => Assert.AreEqual(0xCBF43926u, Crc32.Compute("123456789"u8));

    [TestMethod]
    public void ChunkedEqualsWhole()
    {
        byte[] data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => i.ToString("X"))));
        uint whole = Crc32.Compute(data);
        foreach (int cut in new[] { 0, 1, 7, 8, 9, 100, data.Length })
            Assert.AreEqual(whole, Crc32.Append(Crc32.Compute(data.AsSpan(0, cut)), data.AsSpan(cut)), $"cut at {cut}");
    }
}
