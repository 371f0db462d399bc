using System.Buffers.Binary;

namespace Microsoft.ML.Rnn;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum of zip and PNG, over the model payload.
/// Incremental, so the reader can checksum the payload chunk by chunk as it arrives; eight bytes a step
/// ("slicing-by-8": eight tables, one per byte position), several times faster than a byte a step.
/// </summary>
internal static class Crc32
{
    private const int TableSize = 256;

    // Table k gives the CRC of a byte followed by k zero bytes.
    private static readonly uint[] Tables = MakeTables();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC-32 of the bytes whose CRC-32 is <paramref name="crc"/> followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = Tables;
        uint c = ~crc;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[(7 * TableSize) + (low & 0xFF)] ^ t[(6 * TableSize) + ((low >> 8) & 0xFF)]
                ^ t[(5 * TableSize) + ((low >> 16) & 0xFF)] ^ t[(4 * TableSize) + (low >> 24)]
                ^ t[(3 * TableSize) + (high & 0xFF)] ^ t[(2 * TableSize) + ((high >> 8) & 0xFF)]
                ^ t[TableSize + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
            c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[] MakeTables()
    {
        var t = new uint[8 * TableSize];
        for (uint n = 0; n < TableSize; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < TableSize; n++)
            {
                uint previous = t[((k - 1) * TableSize) + n];
                t[(k * TableSize) + n] = (previous >> 8) ^ t[previous & 0xFF];
            }
        }

        return t;
    }
}
