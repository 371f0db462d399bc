using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// One column as the schema checks see it, whether it comes from a <see cref="SchemaShape"/> (the estimator's
/// <c>GetOutputSchema</c>, where vector sizes and key counts are unknown) or a <see cref="DataViewSchema"/>.
/// </summary>
/// <param name="Name">Column name.</param>
/// <param name="IsVector">True for vector columns of either kind.</param>
/// <param name="VectorSize">Known vector size, or 0 when variable or not known at this stage.</param>
/// <param name="IsVariableVector">True for a vector column of unknown size.</param>
/// <param name="ItemRawType">The item's raw .NET type (<see cref="float"/>, <see cref="bool"/>, <see cref="uint"/> for keys…).</param>
/// <param name="IsKey">True when the items are keys.</param>
/// <param name="KeyCount">Key count, or 0 when not known at this stage.</param>
/// <param name="KeyValuesItemType">Item type of the column's <c>KeyValues</c> annotation, if it has one.</param>
/// <param name="TypeText">The type as a user reads it, for messages.</param>
/// <param name="FeaturesPerStep">The value of the column's <see cref="RnnAnnotationKinds.FeaturesPerStep"/> annotation; null when
/// it has none, or when the value cannot be seen (a schema shape lists annotations without values).</param>
internal readonly record struct RnnColumnInfo(
    string Name, bool IsVector, int VectorSize, bool IsVariableVector, Type ItemRawType, bool IsKey, ulong KeyCount,
    DataViewType? KeyValuesItemType, string TypeText, int? FeaturesPerStep)
{
    /// <summary>Describes a column of a data schema.</summary>
    public static RnnColumnInfo From(DataViewSchema.Column column)
    {
        DataViewType type = column.Type;
        var vector = type as VectorDataViewType;
        DataViewType item = vector?.ItemType ?? type;
        var keyValues = column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        int? featuresPerStep = null;
        if (column.Annotations.Schema.GetColumnOrNull(RnnAnnotationKinds.FeaturesPerStep) is { } perStep)
        {
            CheckFeaturesPerStepType(column.Name, perStep.Type == NumberDataViewType.Int32, perStep.Type.ToString() ?? perStep.Type.RawType.Name);
            int value = 0;
            column.Annotations.GetValue(RnnAnnotationKinds.FeaturesPerStep, ref value);
            featuresPerStep = value;
        }

        return new RnnColumnInfo(
            column.Name,
            vector is not null,
            vector?.Size ?? 0,
            vector is { IsKnownSize: false },
            item.RawType,
            item is KeyDataViewType,
            (item as KeyDataViewType)?.Count ?? 0,
            (keyValues?.Type as VectorDataViewType)?.ItemType,
            type.ToString() ?? type.RawType.Name,
            featuresPerStep);
    }

    /// <summary>Describes a column of a schema shape (sizes and key counts unknown).</summary>
    public static RnnColumnInfo From(SchemaShape.Column column)
    {
        DataViewType? keyValuesItem = column.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues)
            ? keyValues.ItemType
            : null;
        if (column.Annotations.TryFindColumn(RnnAnnotationKinds.FeaturesPerStep, out var perStep))
        {
            // The value is not there yet; its type is, and a wrong one would fail at Fit anyway.
            CheckFeaturesPerStepType(column.Name,
                perStep.Kind == SchemaShape.Column.VectorKind.Scalar && perStep.ItemType == NumberDataViewType.Int32, perStep.GetTypeString());
        }

        return new RnnColumnInfo(
            column.Name,
            column.Kind != SchemaShape.Column.VectorKind.Scalar,
            0,
            column.Kind == SchemaShape.Column.VectorKind.VariableVector,
            column.ItemType.RawType,
            column.IsKey,
            0,
            keyValuesItem,
            column.GetTypeString(),
            null);
    }

    private static void CheckFeaturesPerStepType(string name, bool isInt32, string typeText)
    {
        if (!isInt32)
        {
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Column '{name}': found a {RnnAnnotationKinds.FeaturesPerStep} annotation of type {typeText}; expected Int32 (features per step).");
        }
    }
}
