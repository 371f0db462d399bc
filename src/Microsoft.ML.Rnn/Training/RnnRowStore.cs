using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Rows of <see cref="float"/> values of any length, appended one at a time and read back as spans. The values live in
/// chunks, a row never spanning two, so reading rows whose number is not known in advance never copies what was
/// already read (a growing array allocates about three times the data: the doublings, then the trimmed copy). When the
/// total is known the first chunk holds all of it.
/// </summary>
internal sealed class RnnRowStore
{
    // Without a known total each new chunk is an eighth of what is held so far, between 16 KB and 16 MB (longer for a
    // longer row): few chunks, and the unused tail of the last one stays small beside the data.
    private const int MinChunk = 1 << 12;
    private const int MaxChunk = 1 << 22;

    private readonly List<float[]> _chunks = [];
    private readonly List<Location> _rows;
    private readonly long _expected;
    private long _allocated;
    private int _used;

    /// <summary>Creates an empty store.</summary>
    /// <param name="expectedRows">Rows expected, or 0 when not known.</param>
    /// <param name="expectedValues">Values expected in all rows together, or 0 when not known.</param>
    public RnnRowStore(long expectedRows, long expectedValues)
    {
        _rows = new List<Location>((int)Math.Clamp(expectedRows, 0, Array.MaxLength));
        _expected = expectedValues;
    }

    /// <summary>Rows held.</summary>
    public int Count => _rows.Count;

    /// <summary>Values in row <paramref name="row"/>.</summary>
    public int Length(int row) => _rows[row].Length;

    /// <summary>The values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> this[int row]
    {
        get
        {
            Location location = _rows[row];
            return _chunks[location.Chunk].AsSpan(location.Start, location.Length);
        }
    }

    /// <summary>Appends a row (copied).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<float> values)
    {
        if (_chunks.Count == 0 || _chunks[^1].Length - _used < values.Length)
            AddChunk(values.Length);
        values.CopyTo(_chunks[^1].AsSpan(_used));
        _rows.Add(new Location(_chunks.Count - 1, _used, values.Length));
        _used += values.Length;
    }

    private void AddChunk(int rowLength)
    {
        long size = _expected > _allocated ? _expected - _allocated : Math.Clamp(_allocated / 8, MinChunk, MaxChunk);
        size = Math.Min(Math.Max(size, rowLength), Array.MaxLength);
        _chunks.Add(new float[size]);
        _allocated += size;
        _used = 0;
    }

    /// <summary>Where a row's values are: chunk, first index in it, length.</summary>
    private readonly record struct Location(int Chunk, int Start, int Length);
}
