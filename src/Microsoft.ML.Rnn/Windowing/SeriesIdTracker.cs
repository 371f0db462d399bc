using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Follows <see cref="SequenceWindowOptions.SeriesIdColumnName"/> down the source rows: says when a row starts a new series, and
/// fails when a series that has ended starts again (the rows of a series must be contiguous, or windows would be cut short
/// without a word). Keeps the ids of the series seen, one value per series.
/// </summary>
internal abstract class SeriesIdTracker
{
    /// <summary>Reads the current source row's id; true when it differs from the previous row's (never for the first row).</summary>
    /// <param name="row">The row's index in the source, counting from 0, for the message.</param>
    /// <exception cref="InvalidOperationException">The id belongs to a series that ended before this row.</exception>
    public abstract bool StartsNewSeries(long row);

    /// <summary>A tracker of <paramref name="column"/>, a scalar column of any type; text is compared by its characters.</summary>
    public static SeriesIdTracker Create(DataViewRowCursor source, DataViewSchema.Column column) => column.Type is TextDataViewType
        ? new Text(source.GetGetter<ReadOnlyMemory<char>>(column), column.Name)
        : (SeriesIdTracker)Activator.CreateInstance(typeof(Scalar<>).MakeGenericType(column.Type.RawType), source, column)!;

    private static InvalidOperationException Reappeared(string column, long row, object id) => new(
        $"Series id column '{column}': row {row} (counting from 0) starts series '{id}' again after other series. The rows of each " +
        "series must be contiguous (sort the rows by series, then by time) so that each window holds one series' steps.");

    private sealed class Scalar<T> : SeriesIdTracker
    {
        private readonly ValueGetter<T> _getter;
        private readonly string _column;
        private readonly HashSet<T> _ended = [];
        private T _current = default!;
        private T _value = default!;
        private bool _started;

        public Scalar(DataViewRowCursor source, DataViewSchema.Column column)
        {
            _getter = source.GetGetter<T>(column);
            _column = column.Name;
        }

        public override bool StartsNewSeries(long row)
        {
            _getter(ref _value);
            if (_started && EqualityComparer<T>.Default.Equals(_value, _current))
                return false;

            if (_ended.Contains(_value))
                throw Reappeared(_column, row, _value!);

            bool isNew = _started;
            if (_started)
                _ended.Add(_current);
            _current = _value;
            _started = true;
            return isNew;
        }
    }

    private sealed class Text(ValueGetter<ReadOnlyMemory<char>> getter, string column) : SeriesIdTracker
    {
        private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
        private ReadOnlyMemory<char> _value;
        private string? _current;

        public override bool StartsNewSeries(long row)
        {
            getter(ref _value);
            if (_current is not null && _value.Span.SequenceEqual(_current))
                return false;

            // Text memory may be reused by the source, so the id is kept as a string of its own.
            string id = _value.ToString();
            if (_ended.Contains(id))
                throw Reappeared(column, row, id);

            bool isNew = _current is not null;
            if (_current is not null)
                _ended.Add(_current);
            _current = id;
            return isNew;
        }
    }
}
