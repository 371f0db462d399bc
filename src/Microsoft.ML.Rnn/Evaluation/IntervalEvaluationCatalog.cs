using MathNet.Numerics.Distributions;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace Microsoft.ML;

/// <summary>
/// <c>EvaluateIntervals</c> on the regression catalog: how well a probabilistic forecast's intervals cover and how good its
/// distributions are (<see cref="IntervalForecastMetrics"/>), for the columns an RNN trained with a
/// <see cref="RnnTrainer.Options.Distribution"/> writes (or any with the same meaning).
/// </summary>
public static class IntervalEvaluationCatalog
{
    /// <summary>
    /// Evaluates interval forecasts: coverage, mean width, the pinball losses of the two bounds as the interval's quantiles, and
    /// the mean negative log-likelihood and CRPS of the Normal with the predicted mean and standard deviation.
    /// </summary>
    /// <param name="catalog">The regression catalog, <c>mlContext.Regression</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="confidenceLevel">The nominal probability of the intervals, in (0, 1) (the model's <c>ConfidenceLevel</c>).</param>
    /// <param name="labelColumnName">The label: <see cref="float"/> or a vector of them.</param>
    /// <param name="scoreColumnName">The predicted mean, shaped as the label.</param>
    /// <param name="standardDeviationColumnName">The predicted standard deviation, shaped as the label.</param>
    /// <param name="lowerBoundColumnName">The interval's lower end, shaped as the label.</param>
    /// <param name="upperBoundColumnName">The interval's upper end, shaped as the label.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not <see cref="float"/> (scalar or vector), or
    /// <paramref name="confidenceLevel"/> is not in (0, 1).</exception>
    /// <exception cref="InvalidOperationException">A row's columns hold different numbers of values.</exception>
    public static IntervalForecastMetrics EvaluateIntervals(this RegressionCatalog catalog, IDataView data, float confidenceLevel = 0.95f,
        string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = RnnOutputColumns.Score,
        string standardDeviationColumnName = RnnOutputColumns.StandardDeviation, string lowerBoundColumnName = RnnOutputColumns.LowerBound,
        string upperBoundColumnName = RnnOutputColumns.UpperBound)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        if (!(confidenceLevel > 0f && confidenceLevel < 1f))
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel,
                $"Argument 'confidenceLevel' is {confidenceLevel}; expected a probability strictly between 0 and 1.");
        string[] names = [labelColumnName, scoreColumnName, standardDeviationColumnName, lowerBoundColumnName, upperBoundColumnName];
        var columns = new DataViewSchema.Column[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(names[i]);
            DataViewSchema.Column? column = data.Schema.GetColumnOrNull(names[i]);
            if (column is null || ItemType(column.Value.Type) != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(data),
                    $"Column '{names[i]}': found {(column is null ? "no such column" : column.Value.Type.ToString())}; expected a Single or a vector of Single.");
            columns[i] = column.Value;
        }

        double lowerTau = (1 - (double)confidenceLevel) / 2, upperTau = 1 - lowerTau;
        double invSqrtPi = 1 / Math.Sqrt(Math.PI), halfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);
        long count = 0, covered = 0, nan = 0, missing = 0;
        double width = 0, nll = 0, crps = 0, lowerLoss = 0, upperLoss = 0;
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        var readers = columns.Select(c => new SequenceColumnReader<float>(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            ReadOnlySpan<float> label = readers[0].Read();
            int n = label.Length;
            float[] labels = label.ToArray(); // the readers reuse their buffers
            float[] score = readers[1].Read().ToArray(), deviation = readers[2].Read().ToArray(), lower = readers[3].Read().ToArray(), upper = readers[4].Read().ToArray();
            if (score.Length != n || deviation.Length != n || lower.Length != n || upper.Length != n)
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: the label holds {n} values, the score {score.Length}, the standard deviation {deviation.Length} and the bounds " +
                    $"{lower.Length} and {upper.Length}; expected as many in each.");
            for (int i = 0; i < n; i++)
            {
                double y = labels[i];
                if (double.IsNaN(y))
                {
                    missing++;
                    continue;
                }

                if (float.IsNaN(score[i]) || float.IsNaN(deviation[i]) || float.IsNaN(lower[i]) || float.IsNaN(upper[i]))
                {
                    nan++;
                    continue;
                }

                count++;
                double mu = score[i], sigma = deviation[i], lo = lower[i], hi = upper[i];
                covered += lo <= y && y <= hi ? 1 : 0;
                width += hi - lo;
                lowerLoss += Pinball(y - lo, lowerTau);
                upperLoss += Pinball(y - hi, upperTau);
                if (sigma > 0)
                {
                    double z = (y - mu) / sigma;
                    nll += Math.Log(sigma) + halfLogTwoPi + 0.5 * z * z;
                    crps += sigma * (z * (2 * Normal.CDF(0, 1, z) - 1) + 2 * Normal.PDF(0, 1, z) - invSqrtPi);
                }
                else
                {
                    nll += y == mu ? double.NegativeInfinity : double.PositiveInfinity;
                    crps += Math.Abs(y - mu);
                }
            }
        }

        double Mean(double sum) => count == 0 ? double.NaN : sum / count;
        return new IntervalForecastMetrics(confidenceLevel, count, Mean(covered), Mean(width), Mean(nll), Mean(crps), Mean(lowerLoss), Mean(upperLoss), nan, missing);
    }

    private static DataViewType ItemType(DataViewType type) => type is VectorDataViewType vector ? vector.ItemType : type;

    private static double Pinball(double difference, double tau) => Math.Max(tau * difference, (tau - 1) * difference);
}
