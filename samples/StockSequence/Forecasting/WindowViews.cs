using Microsoft.ML;
using Microsoft.ML.Data;

namespace StockSequence.Forecasting;

/// <summary>
/// Windows in memory back as ML.NET views, with the columns the window views have: "Features" (a Single vector of known size,
/// time-major) and "Label" (a Single for one day, a Single vector of H for a path). The runs of <c>--ahead</c> build the
/// one-day model's training set this way (the day-1 value of each path window, so both models learn from the same windows)
/// and the windows the recursive forecast makes, whose newest values are forecasts.
/// </summary>
public static class WindowViews
{
    /// <summary>Windows with a one-day label.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="features">Each window's features, all of <paramref name="featureSize"/> values.</param>
    /// <param name="labels">Each window's label; NaN where unknown (for scoring).</param>
    /// <param name="featureSize">Values per window (steps × features per step).</param>
    public static IDataView OneDay(MLContext mlContext, IReadOnlyList<float[]> features, IReadOnlyList<float> labels, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Check(features, labels.Count, featureSize);
        var schema = SchemaDefinition.Create(typeof(OneDayRow));
        schema[nameof(OneDayRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureSize);
        var rows = features.Select((f, i) => new OneDayRow { Features = f, Label = labels[i] }).ToList();
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Windows with a label of <paramref name="steps"/> days.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="features">Each window's features, all of <paramref name="featureSize"/> values.</param>
    /// <param name="labels">Each window's next <paramref name="steps"/> values.</param>
    /// <param name="featureSize">Values per window (steps × features per step).</param>
    /// <param name="steps">Days per label (H).</param>
    public static IDataView Path(MLContext mlContext, IReadOnlyList<float[]> features, IReadOnlyList<float[]> labels, int featureSize, int steps)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Check(features, labels.Count, featureSize);
        if (labels.Any(l => l.Length != steps))
        {
            throw new ArgumentException($"Every label needs {steps} values.", nameof(labels));
        }

        var schema = SchemaDefinition.Create(typeof(PathRow));
        schema[nameof(PathRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureSize);
        schema[nameof(PathRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        var rows = features.Select((f, i) => new PathRow { Features = f, Label = labels[i] }).ToList();
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    private static void Check(IReadOnlyList<float[]> features, int labels, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != labels)
        {
            throw new ArgumentException($"Need one label per window: {features.Count} windows, {labels} labels.");
        }

        if (features.Any(f => f.Length != featureSize))
        {
            throw new ArgumentException($"Every window needs {featureSize} feature values.", nameof(features));
        }
    }

    private sealed class OneDayRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class PathRow
    {
        public float[] Features { get; set; } = [];

        public float[] Label { get; set; } = [];
    }
}
