using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// A series of any length that generates its values on the fly (nothing is stored): column "Value" (Single) is
/// <see cref="ValueAt"/>, column "Index" (Int64) is the row number. Its row count is unknown (null), as for a streamed file.
/// </summary>
internal sealed class GeneratedSeriesDataView(long rows) : IDataView
{
    public static float ValueAt(long row) => 100f + (row % 1000) * 0.01f;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = MakeSchema();

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, rows);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema MakeSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Value", NumberDataViewType.Single);
        builder.AddColumn("Index", NumberDataViewType.Int64);
        return builder.ToSchema();
    }

    private sealed class Cursor(GeneratedSeriesDataView parent, long rows) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < rows;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Index == 0
                ? (ValueGetter<float>)((ref float value) => value = ValueAt(_position))
                : (ValueGetter<long>)((ref long value) => value = _position);
            return (ValueGetter<TValue>)getter;
        }
    }
}
