using MathNet.Numerics.Distributions;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.Probabilistic;

/// <summary>
/// A series whose conditional distribution is known: x_t = 0.6·x_{t−1} + σ_t·ε_t with σ_t = 0.3 + 0.4·|x_{t−1}|
/// (noise that grows with the level, so the network must learn σ per row) and ε standard Normal or Student-t with 4
/// degrees of freedom scaled to unit variance. Each row is a window of <see cref="Window"/> values and the next value.
/// </summary>
internal static class KnownProcess
{
    public const int Window = 4;

    public sealed class Row
    {
        [VectorType(Window)] public float[] Features { get; set; } = [];
        public float Label { get; set; }

        /// <summary>The true conditional mean and scale of the label (not a column the trainer reads).</summary>
        [NoColumn] public double Mean { get; set; }

        [NoColumn] public double Scale { get; set; }
    }

    public static double Sigma(double previous) => 0.3 + 0.4 * Math.Abs(previous);

    /// <summary><paramref name="rows"/> rows from one long series (after a burn-in), labels in units of <paramref name="unit"/>.</summary>
    public static Row[] Rows(int rows, int seed, bool studentT, double unit = 1)
    {
        var random = new Random(seed);
        var series = new List<double> { 0 };
        double tScale = Math.Sqrt((4.0 - 2) / 4); // a t_4 variable times this has variance 1
        for (int t = 1; t < rows + Window + 50; t++)
        {
            double e = studentT ? StudentT.Sample(random, 0, 1, 4) * tScale : Normal.Sample(random, 0, 1);
            series.Add(0.6 * series[^1] + Sigma(series[^1]) * e);
        }

        var result = new Row[rows];
        for (int i = 0; i < rows; i++)
        {
            int end = 50 + i + Window; // the label's index
            double previous = series[end - 1];
            result[i] = new Row
            {
                Features = series.GetRange(end - Window, Window).Select(v => (float)v).ToArray(),
                Label = (float)(series[end] * unit),
                Mean = 0.6 * previous * unit,
                Scale = Sigma(previous) * (studentT ? tScale : 1) * unit,
            };
        }

        return result;
    }

    /// <summary>The mean negative log-likelihood of the labels under the true conditional distribution.</summary>
    public static double TrueNegativeLogLikelihood(Row[] rows, bool studentT) =>
        rows.Average(r => studentT ? -StudentT.PDFLn(r.Mean, r.Scale, 4, r.Label) : -Normal.PDFLn(r.Mean, r.Scale, r.Label));

    public static RnnTrainer.Options Options(RnnDistribution distribution, IDataView? validation, float level = 0.95f) => new()
    {
        InputSize = 1,
        Cell = RnnCellType.Gru,
        HiddenSize = 12,
        BatchSize = 64,
        MaxEpochs = 25,
        LearningRate = 0.01f,
        Seed = 7,
        NumberOfThreads = 2,
        Distribution = distribution,
        ConfidenceLevel = level,
        ValidationSet = validation,
    };

    /// <summary>Reads a Single column.</summary>
    public static float[] Column(IDataView data, string name) => data.GetColumn<float>(name).ToArray();
}
