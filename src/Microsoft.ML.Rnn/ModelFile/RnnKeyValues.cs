using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The values behind a multiclass label's keys (its <c>KeyValues</c> annotation), kept with the model so that
/// <c>PredictedLabel</c> carries them and <c>MapKeyToValue</c> turns predictions back into the original labels.
/// Text and the common numeric and Boolean item types are kept; other item types are dropped (with a warning).
/// </summary>
internal sealed class RnnKeyValues
{
    private RnnKeyValues(RnnKeyValueKind kind, Array values)
    {
        Kind = kind;
        Values = values;
    }

    /// <summary>The item type, as written in the model file.</summary>
    public RnnKeyValueKind Kind { get; }

    /// <summary>One value per class: <see cref="string"/>[] for text, otherwise an array of the item's raw type.</summary>
    public Array Values { get; }

    /// <summary>Number of values (the class count).</summary>
    public int Count => Values.Length;

    /// <summary>The annotation's item type.</summary>
    public DataViewType ItemType => ItemTypeOf(Kind);

    /// <summary>Builds key values from an item type code and values (used by the model reader).</summary>
    public static RnnKeyValues Create(RnnKeyValueKind kind, Array values)
    {
        if (values.GetType().GetElementType() != RawTypeOf(kind))
            throw new ArgumentException($"Key values of kind {kind} must be an array of {RawTypeOf(kind).Name}.", nameof(values));
        return new RnnKeyValues(kind, values);
    }

    /// <summary>The item type for a kind code.</summary>
    public static DataViewType ItemTypeOf(RnnKeyValueKind kind) => kind switch
    {
        RnnKeyValueKind.Text => TextDataViewType.Instance,
        RnnKeyValueKind.Single => NumberDataViewType.Single,
        RnnKeyValueKind.Double => NumberDataViewType.Double,
        RnnKeyValueKind.Boolean => BooleanDataViewType.Instance,
        RnnKeyValueKind.Int32 => NumberDataViewType.Int32,
        RnnKeyValueKind.UInt32 => NumberDataViewType.UInt32,
        RnnKeyValueKind.Int64 => NumberDataViewType.Int64,
        RnnKeyValueKind.UInt64 => NumberDataViewType.UInt64,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown key value kind."),
    };

    /// <summary>The array element type the values of a kind are held in.</summary>
    public static Type RawTypeOf(RnnKeyValueKind kind) => kind == RnnKeyValueKind.Text ? typeof(string) : ItemTypeOf(kind).RawType;

    /// <summary>The kind code for an annotation item type, or null when it is not kept.</summary>
    public static RnnKeyValueKind? KindOf(DataViewType? itemType) => itemType switch
    {
        TextDataViewType => RnnKeyValueKind.Text,
        BooleanDataViewType => RnnKeyValueKind.Boolean,
        NumberDataViewType n when n.RawType == typeof(float) => RnnKeyValueKind.Single,
        NumberDataViewType n when n.RawType == typeof(double) => RnnKeyValueKind.Double,
        NumberDataViewType n when n.RawType == typeof(int) => RnnKeyValueKind.Int32,
        NumberDataViewType n when n.RawType == typeof(uint) => RnnKeyValueKind.UInt32,
        NumberDataViewType n when n.RawType == typeof(long) => RnnKeyValueKind.Int64,
        NumberDataViewType n when n.RawType == typeof(ulong) => RnnKeyValueKind.UInt64,
        _ => null,
    };

    /// <summary>Reads the label column's key values, or returns null when it has none of a kept type or the wrong count.</summary>
    public static RnnKeyValues? TryRead(DataViewSchema.Column label, int classCount)
    {
        var annotation = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (annotation?.Type is not VectorDataViewType { ItemType: var itemType } type || type.Size != classCount)
            return null;
        return KindOf(itemType) switch
        {
            RnnKeyValueKind.Text => new(RnnKeyValueKind.Text, ReadValues<ReadOnlyMemory<char>>(label, classCount).Select(v => v.ToString()).ToArray()),
            RnnKeyValueKind.Single => new(RnnKeyValueKind.Single, ReadValues<float>(label, classCount)),
            RnnKeyValueKind.Double => new(RnnKeyValueKind.Double, ReadValues<double>(label, classCount)),
            RnnKeyValueKind.Boolean => new(RnnKeyValueKind.Boolean, ReadValues<bool>(label, classCount)),
            RnnKeyValueKind.Int32 => new(RnnKeyValueKind.Int32, ReadValues<int>(label, classCount)),
            RnnKeyValueKind.UInt32 => new(RnnKeyValueKind.UInt32, ReadValues<uint>(label, classCount)),
            RnnKeyValueKind.Int64 => new(RnnKeyValueKind.Int64, ReadValues<long>(label, classCount)),
            RnnKeyValueKind.UInt64 => new(RnnKeyValueKind.UInt64, ReadValues<ulong>(label, classCount)),
            _ => null,
        };
    }

    /// <summary>Adds the values as an annotation (<c>KeyValues</c> or <c>SlotNames</c>) of a vector type with one item per class.</summary>
    public void AddTo(DataViewSchema.Annotations.Builder builder, string annotationName)
    {
        switch (Kind)
        {
            case RnnKeyValueKind.Text:
                var text = ((string[])Values).Select(v => v.AsMemory()).ToArray();
                Add(builder, annotationName, text);
                break;
            case RnnKeyValueKind.Single: Add(builder, annotationName, (float[])Values); break;
            case RnnKeyValueKind.Double: Add(builder, annotationName, (double[])Values); break;
            case RnnKeyValueKind.Boolean: Add(builder, annotationName, (bool[])Values); break;
            case RnnKeyValueKind.Int32: Add(builder, annotationName, (int[])Values); break;
            case RnnKeyValueKind.UInt32: Add(builder, annotationName, (uint[])Values); break;
            case RnnKeyValueKind.Int64: Add(builder, annotationName, (long[])Values); break;
            case RnnKeyValueKind.UInt64: Add(builder, annotationName, (ulong[])Values); break;
        }
    }

    private void Add<T>(DataViewSchema.Annotations.Builder builder, string annotationName, T[] values)
    {
        var type = new VectorDataViewType((PrimitiveDataViewType)ItemType, values.Length);
        builder.Add(annotationName, type, (ref VBuffer<T> value) => new VBuffer<T>(values.Length, values).CopyTo(ref value));
    }

    private static T[] ReadValues<T>(DataViewSchema.Column label, int count)
    {
        VBuffer<T> buffer = default;
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref buffer);
        var values = new T[count];
        buffer.CopyTo(values);
        return values;
    }
}
