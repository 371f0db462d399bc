using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>Reads windows made by <c>CreateSequenceWindows</c> with a label of several steps (<c>LabelSteps</c> &gt; 1) into memory.</summary>
public static class PathWindowReader
{
    /// <summary>Reads every window's features, label values, reference and date.</summary>
    /// <param name="windows">A window view whose label is a Single vector, or a view derived from one.</param>
    /// <param name="dateColumn">The pass-through date column, or null.</param>
    /// <returns>The windows in order. Reference is NaN when the windows are not normalised; Date is default without a date column.</returns>
    public static List<PathWindow> Read(IDataView windows, string? dateColumn = "Date")
    {
        ArgumentNullException.ThrowIfNull(windows);
        var schema = windows.Schema;
        var features = schema[SequenceWindowOptions.DefaultFeaturesColumnName];
        var label = schema[SequenceWindowOptions.DefaultLabelColumnName];
        var reference = schema.GetColumnOrNull(SequenceWindowOptions.DefaultReferenceColumnName);
        var date = dateColumn is null ? null : schema.GetColumnOrNull(dateColumn);
        var needed = new[] { features, label }.Concat(new[] { reference, date }.Where(c => c is not null).Select(c => c!.Value));

        var result = new List<PathWindow>();
        using var cursor = windows.GetRowCursor(needed);
        var featuresGetter = cursor.GetGetter<VBuffer<float>>(features);
        var labelGetter = cursor.GetGetter<VBuffer<float>>(label);
        var referenceGetter = reference is null ? null : cursor.GetGetter<float>(reference.Value);
        var dateGetter = date is null ? null : cursor.GetGetter<DateTime>(date.Value);
        VBuffer<float> featureBuffer = default, labelBuffer = default;
        while (cursor.MoveNext())
        {
            featuresGetter(ref featureBuffer);
            labelGetter(ref labelBuffer);
            float referenceValue = float.NaN;
            DateTime dateValue = default;
            referenceGetter?.Invoke(ref referenceValue);
            dateGetter?.Invoke(ref dateValue);
            result.Add(new PathWindow(featureBuffer.DenseValues().ToArray(), labelBuffer.DenseValues().ToArray(), referenceValue, dateValue));
        }

        return result;
    }
}
