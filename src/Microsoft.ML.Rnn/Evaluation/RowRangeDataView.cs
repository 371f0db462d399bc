using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Rows <c>[start, start + count)</c> of a view, in the view's order. Walk-forward folds are row ranges of data in time
/// order; this view keeps that order (it never shuffles) and stops reading the source at the end of its range, so the rows
/// after a fold's test block are never even read.
/// </summary>
internal sealed class RowRangeDataView : IDataView
{
    private readonly IDataView _source;
    private readonly long _start;
    private readonly long _count;

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 of <paramref name="source"/>.</summary>
    public RowRangeDataView(IDataView source, long start, long count)
    {
        _source = source;
        _start = start;
        _count = count;
    }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema => _source.Schema;

    /// <summary>The range's length: the split counted the source's rows before making the range.</summary>
    public long? GetRowCount() => _count;

    /// <inheritdoc/>
    /// <remarks><paramref name="rand"/> is ignored: the rows stay in time order.</remarks>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(columnsNeeded), _start, _count);

    /// <inheritdoc/>
    /// <remarks>Always one cursor: the range is a position in the source's order, which only one cursor sees.</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _source;
        private readonly long _start;
        private readonly long _count;
        private long _position = -1;

        public Cursor(DataViewRowCursor source, long start, long count)
        {
            _source = source;
            _start = start;
            _count = count;
        }

        public override DataViewSchema Schema => _source.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _source.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _source.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _source.GetIdGetter();

        public override bool MoveNext()
        {
            if (_position + 1 >= _count)
                return false;
            if (_position < 0)
            {
                for (long skipped = 0; skipped < _start; skipped++)
                {
                    if (!_source.MoveNext())
                        return false;
                }
            }

            if (!_source.MoveNext())
                return false;
            _position++;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
