using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// Rows of "Features" (a known-size <see cref="float"/> vector) and "Label" (a scalar key of <paramref name="keyCount"/>
/// classes) holding the keys as given, also those beyond the count. <c>LoadFromEnumerable</c> cannot make such a view: it
/// maps a scalar key member's out-of-range value to the missing key 0.
/// </summary>
internal sealed class RawKeyLabelDataView(float[][] features, uint[] keys, int keyCount) : IDataView
{
    private readonly float[][] _features = features;
    private readonly uint[] _keys = keys;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = MakeSchema(features[0].Length, keyCount);

    public long? GetRowCount() => _keys.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema MakeSchema(int length, int keyCount)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, length));
        builder.AddColumn("Label", new KeyDataViewType(typeof(uint), keyCount));
        return builder.ToSchema();
    }

    private sealed class Cursor(RawKeyLabelDataView parent) : DataViewRowCursor
    {
        private int _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < parent._keys.Length;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Index == 0
                ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => value = new VBuffer<float>(parent._features[_position].Length, parent._features[_position]))
                : (ValueGetter<uint>)((ref uint value) => value = parent._keys[_position]);
            return (ValueGetter<TValue>)getter;
        }
    }
}
