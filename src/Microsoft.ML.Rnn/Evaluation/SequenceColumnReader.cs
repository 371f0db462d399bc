using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Reads one column of a row as a dense span, whether it is a scalar (one value: an N vs 1 output) or a vector of any
/// size (one value, or several, per step), so the sequence evaluators treat both alike.
/// </summary>
/// <typeparam name="T">The column's item type.</typeparam>
internal sealed class SequenceColumnReader<T>
{
    private readonly ValueGetter<T>? _scalar;
    private readonly ValueGetter<VBuffer<T>>? _vector;
    private readonly T[] _one = new T[1];
    private VBuffer<T> _buffer;
    private T[] _dense = [];

    public SequenceColumnReader(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
            _vector = row.GetGetter<VBuffer<T>>(column);
        else
            _scalar = row.GetGetter<T>(column);
    }

    /// <summary>The current row's values; valid until the next call.</summary>
    public ReadOnlySpan<T> Read()
    {
        if (_scalar is not null)
        {
            _scalar(ref _one[0]);
            return _one;
        }

        _vector!(ref _buffer);
        if (_buffer.IsDense)
            return _buffer.GetValues();
        if (_dense.Length < _buffer.Length)
            _dense = new T[_buffer.Length];
        Span<T> dense = _dense.AsSpan(0, _buffer.Length);
        _buffer.CopyTo(dense);
        return dense;
    }
}
