using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: ModelLoadProbe <model.zip> <data.idv> <column>...
// Prints, per row, each column's values as exact bit patterns (floats as hex), columns separated by " | ".
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: ModelLoadProbe <model.zip> <data.idv> <column>...");
    return 2;
}

var ml = new MLContext(seed: 123);
ITransformer model = ml.Model.Load(args[0], out _);
IDataView scored = model.Transform(ml.Data.LoadFromBinary(args[1]));
DataViewSchema.Column[] columns = args.Skip(2).Select(name => scored.Schema[name]).ToArray();
using DataViewRowCursor cursor = scored.GetRowCursor(columns);
Func<string>[] getters = columns.Select(c => Bits(cursor, c)).ToArray();
while (cursor.MoveNext())
    Console.WriteLine(string.Join(" | ", getters.Select(g => g())));
return 0;

static Func<string> Bits(DataViewRow row, DataViewSchema.Column column)
{
    switch (column.Type)
    {
        case NumberDataViewType when column.Type.RawType == typeof(float):
        {
            var get = row.GetGetter<float>(column);
            float v = 0;
            return () => { get(ref v); return BitConverter.SingleToInt32Bits(v).ToString("X8"); };
        }

        case VectorDataViewType vector when vector.ItemType.RawType == typeof(float):
        {
            var get = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> v = default;
            return () => { get(ref v); return "[" + string.Join(",", v.DenseValues().Select(x => BitConverter.SingleToInt32Bits(x).ToString("X8"))) + "]"; };
        }

        case BooleanDataViewType:
        {
            var get = row.GetGetter<bool>(column);
            bool v = false;
            return () => { get(ref v); return v ? "T" : "F"; };
        }

        case VectorDataViewType vector when vector.ItemType is KeyDataViewType:
        {
            var get = row.GetGetter<VBuffer<uint>>(column);
            VBuffer<uint> v = default;
            return () => { get(ref v); return "[" + string.Join(",", v.DenseValues()) + "]"; };
        }

        case KeyDataViewType:
        {
            var get = row.GetGetter<uint>(column);
            uint v = 0;
            return () => { get(ref v); return v.ToString(); };
        }

        default:
            throw new NotSupportedException($"Column '{column.Name}' of type {column.Type}.");
    }
}
