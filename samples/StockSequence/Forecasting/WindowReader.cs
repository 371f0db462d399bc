using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Forecasting;

/// <summary>Reads windows made by <c>CreateSequenceWindows</c> into memory (for a hold-out, which is small).</summary>
public static class WindowReader
{
    /// <summary>Reads every window's features, label, reference and date.</summary>
    /// <param name="windows">A window view, or a view derived from one (for example by <c>SkipRows</c>).</param>
    /// <param name="dateColumn">The pass-through date column, or null.</param>
    /// <returns>The windows in order. Reference is NaN when the windows are not normalised; Date is default without a date column.</returns>
    public static List<ForecastWindow> Read(IDataView windows, string? dateColumn = "Date")
    {
        var schema = windows.Schema;
        var features = schema[SequenceWindowOptions.DefaultFeaturesColumnName];
        var label = schema[SequenceWindowOptions.DefaultLabelColumnName];
        var reference = schema.GetColumnOrNull(SequenceWindowOptions.DefaultReferenceColumnName);
        var date = dateColumn is null ? null : schema.GetColumnOrNull(dateColumn);
        var needed = new[] { features, label }.Concat(new[] { reference, date }.Where(c => c is not null).Select(c => c!.Value));

        var result = new List<ForecastWindow>();
        using var cursor = windows.GetRowCursor(needed);
        var featuresGetter = cursor.GetGetter<VBuffer<float>>(features);
        var labelGetter = cursor.GetGetter<float>(label);
        var referenceGetter = reference is null ? null : cursor.GetGetter<float>(reference.Value);
        var dateGetter = date is null ? null : cursor.GetGetter<DateTime>(date.Value);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            featuresGetter(ref buffer);
            float labelValue = 0, referenceValue = float.NaN;
            DateTime dateValue = default;
            labelGetter(ref labelValue);
            referenceGetter?.Invoke(ref referenceValue);
            dateGetter?.Invoke(ref dateValue);
            result.Add(new ForecastWindow(buffer.DenseValues().ToArray(), labelValue, referenceValue, dateValue));
        }

        return result;
    }
}
