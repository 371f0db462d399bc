using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// One pass over scored rows, accumulating metrics per output step and overall. A row counts at the steps it has (rows
/// may differ in length); a NaN score or label skips that value (or step) and is counted, as ML.NET's evaluators leave
/// NaN scores out; a row whose label and score lengths disagree is inconsistent data and throws.
/// </summary>
internal static class SequenceEvaluator
{
    /// <summary>The multiclass log-loss clamp, as ML.NET's multiclass evaluator.</summary>
    private const double Epsilon = 1e-15;

    public static SequenceRegressionMetrics Regression(IDataView data, string labelColumnName, string scoreColumnName, int outputsPerStep)
    {
        DataViewSchema.Column label = Find(data, labelColumnName, nameof(labelColumnName), NumberDataViewType.Single, "Single or a Single vector");
        DataViewSchema.Column score = Find(data, scoreColumnName, nameof(scoreColumnName), NumberDataViewType.Single, "Single or a Single vector");
        var overall = new RegressionAccumulator();
        var perStep = new List<RegressionAccumulator>();
        long nanScores = 0, missingLabels = 0;
        using var cursor = data.GetRowCursor([label, score]);
        var labels = new SequenceColumnReader<float>(cursor, label);
        var scores = new SequenceColumnReader<float>(cursor, score);
        while (cursor.MoveNext())
        {
            ReadOnlySpan<float> y = labels.Read();
            ReadOnlySpan<float> s = scores.Read();
            if (y.Length != s.Length || y.Length % outputsPerStep != 0)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: label column '{labelColumnName}' holds {y.Length} values and score column '{scoreColumnName}' " +
                    $"holds {s.Length}; they must hold the same number, a multiple of {outputsPerStep} outputs per step.");
            }

            for (int i = 0; i < y.Length; i++)
            {
                if (float.IsNaN(y[i]))
                {
                    missingLabels++;
                    continue;
                }

                if (float.IsNaN(s[i]))
                {
                    nanScores++;
                    continue;
                }

                overall.Add(y[i], s[i]);
                Step(perStep, i / outputsPerStep).Add(y[i], s[i]);
            }
        }

        return new SequenceRegressionMetrics(overall, perStep.Select((a, step) => a.ToStepMetrics(step)).ToArray(), nanScores, missingLabels);
    }

    public static SequenceClassificationMetrics Binary(IDataView data, string labelColumnName, string scoreColumnName, string probabilityColumnName)
    {
        DataViewSchema.Column label = Find(data, labelColumnName, nameof(labelColumnName), BooleanDataViewType.Instance, "Boolean or a Boolean vector");
        DataViewSchema.Column score = Find(data, scoreColumnName, nameof(scoreColumnName), NumberDataViewType.Single, "Single or a Single vector");
        DataViewSchema.Column probability = Find(data, probabilityColumnName, nameof(probabilityColumnName), NumberDataViewType.Single,
            "Single or a Single vector");
        var overall = new ClassificationAccumulator();
        var perStep = new List<ClassificationAccumulator>();
        long nanScores = 0;
        using var cursor = data.GetRowCursor([label, score, probability]);
        var labels = new SequenceColumnReader<bool>(cursor, label);
        var scores = new SequenceColumnReader<float>(cursor, score);
        var probabilities = new SequenceColumnReader<float>(cursor, probability);
        while (cursor.MoveNext())
        {
            ReadOnlySpan<bool> y = labels.Read();
            ReadOnlySpan<float> s = scores.Read();
            ReadOnlySpan<float> p = probabilities.Read();
            if (y.Length != s.Length || y.Length != p.Length)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: label column '{labelColumnName}' holds {y.Length} values, score column '{scoreColumnName}' " +
                    $"{s.Length} and probability column '{probabilityColumnName}' {p.Length}; they must hold one per step each.");
            }

            for (int step = 0; step < y.Length; step++)
            {
                if (float.IsNaN(s[step]) || float.IsNaN(p[step]))
                {
                    nanScores++;
                    continue;
                }

                // As ML.NET's binary evaluator: predicted positive for a score above 0 (the RNN's logit), log-loss in bits.
                bool correct = s[step] > 0 == y[step];
                double logLoss = y[step] ? -Math.Log(p[step], 2) : -Math.Log(1.0 - p[step], 2);
                overall.Add(correct, logLoss);
                Step(perStep, step).Add(correct, logLoss);
            }
        }

        return new SequenceClassificationMetrics(overall, perStep.Select((a, step) => a.ToStepMetrics(step)).ToArray(), nanScores, 0);
    }

    public static SequenceClassificationMetrics Multiclass(IDataView data, string labelColumnName, string scoreColumnName)
    {
        DataViewSchema.Column label = FindColumn(data, labelColumnName, nameof(labelColumnName));
        DataViewType labelItem = (label.Type as VectorDataViewType)?.ItemType ?? label.Type;
        if (labelItem is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumnName),
                $"Label column '{labelColumnName}' is {label.Type}; expected a UInt32 key or a vector of them (use MapValueToKey).");
        }

        int classes = (int)key.Count;
        DataViewSchema.Column score = Find(data, scoreColumnName, nameof(scoreColumnName), NumberDataViewType.Single, "a Single vector");
        var overall = new ClassificationAccumulator();
        var perStep = new List<ClassificationAccumulator>();
        long nanScores = 0, missingLabels = 0;
        using var cursor = data.GetRowCursor([label, score]);
        var labels = new SequenceColumnReader<uint>(cursor, label);
        var scores = new SequenceColumnReader<float>(cursor, score);
        while (cursor.MoveNext())
        {
            ReadOnlySpan<uint> y = labels.Read();
            ReadOnlySpan<float> s = scores.Read();
            if (s.Length != y.Length * classes)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: label column '{labelColumnName}' holds {y.Length} steps of {classes} classes, so score column " +
                    $"'{scoreColumnName}' should hold {y.Length * classes} probabilities (steps × classes, time-major); it holds {s.Length}.");
            }

            for (int step = 0; step < y.Length; step++)
            {
                if (y[step] == 0 || y[step] > classes)
                {
                    missingLabels++;
                    continue;
                }

                ReadOnlySpan<float> probabilities = s.Slice(step * classes, classes);
                if (HasNaN(probabilities))
                {
                    nanScores++;
                    continue;
                }

                int truth = (int)y[step] - 1;
                bool correct = ArgMax(probabilities) == truth;
                double logLoss = -Math.Log(Math.Min(1.0, Math.Max(Epsilon, probabilities[truth])));
                overall.Add(correct, logLoss);
                Step(perStep, step).Add(correct, logLoss);
            }
        }

        return new SequenceClassificationMetrics(overall, perStep.Select((a, step) => a.ToStepMetrics(step)).ToArray(), nanScores, missingLabels);
    }

    private static TAccumulator Step<TAccumulator>(List<TAccumulator> perStep, int step)
        where TAccumulator : new()
    {
        while (perStep.Count <= step)
            perStep.Add(new TAccumulator());
        return perStep[step];
    }

    private static bool HasNaN(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (float.IsNaN(value))
                return true;
        }

        return false;
    }

    /// <summary>The first index of the largest value, as the RNN's <c>PredictedLabel</c> picks it.</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }

        return best;
    }

    private static DataViewSchema.Column FindColumn(IDataView data, string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        return data.Schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(parameter, $"Column '{name}' is not in the data.");
    }

    private static DataViewSchema.Column Find(IDataView data, string name, string parameter, DataViewType item, string expected)
    {
        DataViewSchema.Column column = FindColumn(data, name, parameter);
        if (!((column.Type as VectorDataViewType)?.ItemType ?? column.Type).Equals(item))
            throw new ArgumentOutOfRangeException(parameter, $"Column '{name}' is {column.Type}; expected {expected}.");
        return column;
    }
}
