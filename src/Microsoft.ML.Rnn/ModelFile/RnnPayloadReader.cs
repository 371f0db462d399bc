using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Reads the model payload from the entry's stream as it is parsed, a chunk at a time, with a bounds check before
/// every value, and checksums the bytes as they go by.
/// </summary>
/// <remarks>
/// The payload's declared length is only a claim: a hostile entry can declare a gigabyte that is there (zeros that
/// compressed to nothing) or is not. So nothing is allocated for the declared length: the buffer and the parameter
/// arrays grow as bytes actually arrive, and parsing stops at the first value that does not fit, before the rest is
/// read. <see cref="Left"/> (the declared bytes left) still bounds every count, as a first, cheap check.
/// </remarks>
internal sealed class RnnPayloadReader
{
    private const int InitialBuffer = 1 << 16;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private long _unread;
    private uint _crc;

    /// <summary>A reader of the next <paramref name="length"/> bytes of <paramref name="stream"/>.</summary>
    public RnnPayloadReader(Stream stream, long length)
    {
        _stream = stream;
        _unread = length;
    }

    /// <summary>Payload bytes not parsed yet, as the payload length declares them.</summary>
    public long Left => _unread + (_end - _start);

    /// <summary>The CRC-32 of the bytes read from the stream so far (the whole payload once <see cref="Left"/> is 0).</summary>
    public uint Checksum => _crc;

    public void EnsureLeft(long bytes, string what)
    {
        if (bytes < 0 || bytes > Left)
            throw RnnModelFormat.Corrupt($"{what} need {bytes} bytes but only {Left} are left");
    }

    public int ReadInt32(string what, int minimum, int maximum)
    {
        int value = BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int), what));
        if (value < minimum || value > maximum)
            throw RnnModelFormat.Corrupt($"the {what} is {value}; expected {minimum} .. {maximum}");
        return value;
    }

    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long), what));

    public float ReadSingle(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float), what));

    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double), what));

    /// <summary>Reads <paramref name="count"/> float32 values into an array that grows as they arrive.</summary>
    public float[] ReadSingles(long count, string what)
    {
        EnsureLeft(count * sizeof(float), what);
        if (count > Array.MaxLength)
            throw RnnModelFormat.Corrupt($"the {what} are {count}, more than an array holds");
        var values = new float[Math.Min(count, InitialBuffer / sizeof(float))];
        int done = 0;
        while (done < count)
        {
            if (done == values.Length)
                Array.Resize(ref values, (int)Math.Min(count, 2L * values.Length));
            int n = Math.Min(values.Length - done, InitialBuffer / sizeof(float));
            ReadOnlySpan<byte> bytes = Take(n * sizeof(float), what);
            for (int i = 0; i < n; i++)
                values[done + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            done += n;
        }

        return values;
    }

    public bool ReadBoolean(string what)
    {
        byte value = Take(1, what)[0];
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw RnnModelFormat.Corrupt($"the {what} flag is {value}; expected 0 or 1"),
        };
    }

    public TEnum ReadEnum<TEnum>(string what)
        where TEnum : struct, Enum
    {
        byte value = Take(1, what)[0];
        TEnum result = (TEnum)Enum.ToObject(typeof(TEnum), value);
        if (!Enum.IsDefined(result))
            throw RnnModelFormat.Corrupt($"the {what} is {value}; expected one of {string.Join(", ", Enum.GetValues<TEnum>().Select(v => Convert.ToInt32(v)))}");
        return result;
    }

    public string ReadString(string what, bool nonEmpty)
    {
        int length = ReadInt32($"length of the {what}", nonEmpty ? 1 : 0, RnnLimits.MaxStringBytes);
        ReadOnlySpan<byte> bytes = Take(length, what);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw RnnModelFormat.Corrupt($"the {what} is not valid UTF-8");
        }
    }

    /// <summary>The next <paramref name="bytes"/> bytes, valid until the next read.</summary>
    private ReadOnlySpan<byte> Take(int bytes, string what)
    {
        if (bytes > Left)
            throw RnnModelFormat.Corrupt($"the payload ends inside the {what}");
        while (_end - _start < bytes)
            Fill(bytes);
        var span = new ReadOnlySpan<byte>(_buffer, _start, bytes);
        _start += bytes;
        return span;
    }

    /// <summary>Reads more of the payload into the buffer, growing it only as far as the bytes that came require.</summary>
    private void Fill(int wanted)
    {
        int buffered = _end - _start;
        if (_buffer.Length < wanted && buffered > _buffer.Length / 2)
            Array.Resize(ref _buffer, (int)Math.Min(Math.Max(wanted, InitialBuffer), 2L * _buffer.Length));
        if (_start > 0)
        {
            _buffer.AsSpan(_start, buffered).CopyTo(_buffer);
            _start = 0;
            _end = buffered;
        }

        int read = _stream.Read(_buffer, _end, (int)Math.Min(_buffer.Length - _end, _unread));
        if (read <= 0)
            throw RnnModelFormat.Corrupt($"the model entry ends {Left - buffered} bytes before the end of the payload");
        _crc = Crc32.Append(_crc, _buffer.AsSpan(_end, read));
        _end += read;
        _unread -= read;
    }
}
