using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Rnn.Tests.Onnx;

/// <summary>The values of output columns row by row, as floats (bool 0/1, keys as numbers), wherever they come from: an
/// ML.NET data view, or ONNX Runtime running the exported file.</summary>
internal static class OnnxScores
{
    public static readonly string[] Columns = ["Score", "Probability", "PredictedLabel"];

    /// <summary>Each row's values of <paramref name="column"/> in <paramref name="view"/> (a scalar as one value).</summary>
    public static float[][] FromDataView(IDataView view, string column)
    {
        DataViewSchema.Column col = view.Schema[column];
        DataViewType type = col.Type;
        Type raw = ((type as VectorDataViewType)?.ItemType ?? type).RawType;
        bool vector = type is VectorDataViewType;
        var rows = new List<float[]>();
        using DataViewRowCursor cursor = view.GetRowCursor([col]);
        Func<float[]> read = (raw.Name, vector) switch
        {
            ("Single", false) => Scalar<float>(cursor, col, v => v),
            ("Single", true) => Vector<float>(cursor, col, v => v),
            ("Boolean", false) => Scalar<bool>(cursor, col, v => v ? 1 : 0),
            ("Boolean", true) => Vector<bool>(cursor, col, v => v ? 1 : 0),
            ("UInt32", false) => Scalar<uint>(cursor, col, v => v),
            ("UInt32", true) => Vector<uint>(cursor, col, v => v),
            _ => throw new NotSupportedException(type.ToString()),
        };
        while (cursor.MoveNext())
            rows.Add(read());
        return rows.ToArray();
    }

    /// <summary>Runs <paramref name="session"/> on <paramref name="inputs"/> (name → <c>[rows, width]</c> values) and returns
    /// each of <paramref name="outputs"/> row by row.</summary>
    public static Dictionary<string, float[][]> Run(InferenceSession session, IReadOnlyDictionary<string, float[][]> inputs, IEnumerable<string> outputs)
    {
        var feeds = inputs.Select(pair =>
        {
            int rows = pair.Value.Length, width = pair.Value[0].Length;
            Assert.IsTrue(pair.Value.All(r => r.Length == width), "a tensor's rows share one width");
            var tensor = new DenseTensor<float>(pair.Value.SelectMany(r => r).ToArray(), [rows, width]);
            return NamedOnnxValue.CreateFromTensor(pair.Key, tensor);
        }).ToList();
        string[] names = outputs.ToArray();
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(feeds, names);
        var values = new Dictionary<string, float[][]>();
        foreach (DisposableNamedOnnxValue result in results)
        {
            values[result.Name] = result.Value switch
            {
                Tensor<float> t => Rows(t, v => v),
                Tensor<bool> t => Rows(t, v => v ? 1f : 0f),
                Tensor<uint> t => Rows(t, v => v),
                var other => throw new NotSupportedException(other?.GetType().ToString()),
            };
        }

        return values;
    }

    private static float[][] Rows<T>(Tensor<T> tensor, Func<T, float> convert)
    {
        float[] flat = tensor.ToArray().Select(convert).ToArray();
        int rows = tensor.Dimensions[0], width = rows == 0 ? 0 : flat.Length / rows;
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
    }

    private static Func<float[]> Scalar<T>(DataViewRow row, DataViewSchema.Column column, Func<T, float> convert)
    {
        ValueGetter<T> getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return [convert(value)];
        };
    }

    private static Func<float[]> Vector<T>(DataViewRow row, DataViewSchema.Column column, Func<T, float> convert)
    {
        ValueGetter<VBuffer<T>> getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        return () =>
        {
            getter(ref value);
            return value.DenseValues().Select(convert).ToArray();
        };
    }
}
