using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.WindowTransforms;

/// <summary>A small generated price series, its windows, and the trainer the window-transform tests use.</summary>
internal static class WindowTransformData
{
    public const int WindowLength = 6;
    public const int FeaturesPerStep = 2;
    public const int WindowValues = WindowLength * FeaturesPerStep;

    public sealed class Day
    {
        public float Open { get; set; }

        public float Close { get; set; }
    }

    public sealed class RawWindow
    {
        [VectorType(WindowValues)] public float[] Features { get; set; } = [];
    }

    public sealed class Forecast
    {
        public float Score { get; set; }
    }

    /// <summary>A positive random walk of <paramref name="days"/> days (the same every call); <paramref name="change"/> may edit it.</summary>
    public static IDataView Series(MLContext ml, int days = 60, Action<Day[]>? change = null)
    {
        var random = new Random(15);
        float close = 100;
        var series = new Day[days];
        for (int i = 0; i < days; i++)
        {
            float open = close * (1 + (float)(random.NextDouble() - 0.5) / 50);
            close = open * (1 + (float)(random.NextDouble() - 0.5) / 25);
            series[i] = new Day { Open = open, Close = close };
        }

        change?.Invoke(series);
        return ml.Data.LoadFromEnumerable(series);
    }

    /// <summary>Windows of Open and Close with Close as the target, <paramref name="labelSteps"/> steps ahead.</summary>
    public static SequenceWindowOptions Windows(SequenceWindowNormalization normalization, int labelSteps = 1) => new()
    {
        InputColumns = ["Open", "Close"],
        TargetColumn = "Close",
        WindowLength = WindowLength,
        LabelSteps = labelSteps,
        Normalization = normalization,
    };

    /// <summary>A small deterministic regression trainer (one thread, fixed seed).</summary>
    public static RnnTrainer Trainer(MLContext ml) => ml.Regression.Trainers.Rnn(new RnnTrainer.Options
    {
        InputSize = FeaturesPerStep,
        HiddenSize = 4,
        MaxEpochs = 3,
        BatchSize = 8,
        NumberOfThreads = 1,
        Seed = 5,
    });

    /// <summary>Each row's Single or Single-vector column as an array.</summary>
    public static float[][] Rows(IDataView data, string column) => data.Schema[column].Type is VectorDataViewType
        ? data.GetColumn<float[]>(column).ToArray()
        : data.GetColumn<float>(column).Select(v => new[] { v }).ToArray();

    /// <summary>Values as IEEE-754 bit patterns, so comparisons are exact (NaN included).</summary>
    public static string Bits(float[][] rows) =>
        string.Join(";", rows.Select(r => string.Join(",", r.Select(v => BitConverter.SingleToUInt32Bits(v).ToString("X8")))));
}
