using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Reads the rows of an <see cref="IDataView"/> into an <see cref="RnnSequenceSet"/>: one cursor pass, features
/// gathered time-major (series columns interleaved), labels turned into the core's targets. Rows with NaN or
/// infinite values, zero steps or a missing key label are skipped and counted; structural errors (a length that is
/// not a multiple of the input size, series of different lengths, more steps than the networks take, an N vs N label
/// that does not match the steps, a label that does not hold OutputLength steps, a key beyond its type's count) stop
/// training with a message naming the column and the row, before any training has run. A 1 vs N row's input vector is a
/// sequence of one step. With an example weight column, rows whose weight is NaN, negative or infinite
/// are skipped and counted too.
/// </summary>
internal static class RnnSequenceReader
{
    /// <summary>Reads every row.</summary>
    /// <param name="host">For cancellation checks.</param>
    /// <param name="data">The rows.</param>
    /// <param name="binding">Columns and layout, from <see cref="RnnSchemaBinding.ForTraining"/> on this data's schema.</param>
    /// <param name="task">The task.</param>
    /// <param name="labelColumn">The label column's name.</param>
    /// <param name="outputSize">Outputs per step; 0 when the data decides it (N vs N regression with a variable-size label).</param>
    /// <param name="role">"training" or "validation", for messages.</param>
    /// <param name="weightColumn">The example weight column (a checked <see cref="float"/> column), or null for no weights.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RnnSequenceSet Read(IHost host, IDataView data, RnnSchemaBinding binding, RnnTask task, string labelColumn, int outputSize, string role,
        string? weightColumn = null)
    {
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column[] featureColumns = binding.FeatureColumns.Select(n => schema[n]).ToArray();
        DataViewSchema.Column label = schema[labelColumn];
        DataViewSchema.Column? weightSource = weightColumn is null ? null : schema[weightColumn];
        int inputSize = binding.InputSize;
        HeadStructure head = binding.Head;
        // 1 vs N and N vs M: OutputLength output steps, whatever the input's length.
        int? outputLength = head.HasStepAxis ? head.OutputSteps((int?)null) : null;

        // Sized from the row count and the columns' sizes when the data knows them, so that the rows are stored once.
        long expectedRows = data.GetRowCount() ?? 0;
        int targetsPerRow = binding.LabelKind is RnnLabelKind.Single or RnnLabelKind.Boolean or RnnLabelKind.Key ? 1 : binding.LabelVectorSize;
        var features = new RnnRowStore(expectedRows, expectedRows * (binding.Steps ?? 0) * inputSize);
        var targets = new RnnRowStore(expectedRows, expectedRows * targetsPerRow);
        List<float>? weights = weightSource is null ? null : new List<float>((int)Math.Min(expectedRows, Array.MaxLength));
        string featureSource = binding.IsSeries
            ? $"Series columns '{string.Join("', '", binding.FeatureColumns)}' hold"
            : $"Feature column '{featureColumns[0].Name}' holds";
        long read = 0, nonFinite = 0, empty = 0, missing = 0, badWeight = 0;

        IEnumerable<DataViewSchema.Column> readColumns = featureColumns.Append(label);
        if (weightSource is { } weightInput)
            readColumns = readColumns.Append(weightInput);
        using (DataViewRowCursor cursor = data.GetRowCursor(readColumns))
        {
            ValueGetter<float>? getWeight = weightSource is { } w ? cursor.GetGetter<float>(w) : null;
            float weight = 1f;
            var featureGetters = featureColumns.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
            var featureBuffers = new VBuffer<float>[featureColumns.Length];
            float[] sequence = [];
            LabelReader readLabel = MakeLabelReader(cursor, label, binding.LabelKind, role);
            float[] labelValues = [];

            while (cursor.MoveNext())
            {
                if ((read & 255) == 0)
                    host.CheckAlive();
                long row = read++;

                // Features, time-major.
                int length;
                if (!binding.IsSeries)
                {
                    featureGetters[0](ref featureBuffers[0]);
                    length = featureBuffers[0].Length;
                    if (length % inputSize != 0)
                    {
                        throw new InvalidOperationException(
                            $"Feature column '{featureColumns[0].Name}' holds {length} values in {role} row {row}, which is not a multiple of " +
                            $"InputSize = {inputSize}; expected steps × InputSize values (time-major).");
                    }

                    if (binding.IsInputVector && length != inputSize)
                    {
                        throw new InvalidOperationException(
                            $"Feature column '{featureColumns[0].Name}' holds {length} values in {role} row {row}; expected the row's input vector of " +
                            $"InputSize = {inputSize} values (OneToMany).");
                    }

                    Buffers.Grow(ref sequence, length);
                    featureBuffers[0].CopyTo(sequence.AsSpan(0, length));
                }
                else
                {
                    int steps = -1;
                    for (int j = 0; j < featureGetters.Length; j++)
                    {
                        featureGetters[j](ref featureBuffers[j]);
                        if (steps >= 0 && featureBuffers[j].Length != steps)
                        {
                            throw new InvalidOperationException(
                                $"Series column '{featureColumns[j].Name}' holds {featureBuffers[j].Length} values in {role} row {row} but " +
                                $"'{featureColumns[0].Name}' holds {steps}; expected series columns of equal length.");
                        }

                        steps = featureBuffers[j].Length;
                    }

                    length = steps * inputSize;
                    Buffers.Grow(ref sequence, length);
                    Interleave(featureBuffers, sequence.AsSpan(0, length));
                }

                int rowSteps = length / inputSize;
                if (rowSteps > RnnNetworkShape.MaxDimension)
                {
                    // SequenceBatch's limit, caught here rather than after every row has been read into memory.
                    throw new InvalidOperationException(
                        $"{featureSource} {rowSteps} steps in {role} row {row}; expected at most {RnnNetworkShape.MaxDimension} steps per row. " +
                        "Cut long series into shorter windows (mlContext.Data.CreateSequenceWindows), or into consecutive chunks trained with Stateful = true.");
                }

                int labelCount = readLabel(ref labelValues, row, out bool labelMissing);
                if (rowSteps == 0)
                {
                    empty++;
                    continue;
                }

                // Label → targets.
                int expectedTargets;
                if (head.HasStepAxis)
                {
                    int valuesPerStep = binding.LabelKind == RnnLabelKind.SingleVector ? outputSize : 1;
                    if (valuesPerStep == 0)
                    {
                        if (labelCount == 0 || labelCount % head.OutputSteps(rowSteps) != 0)
                        {
                            throw new InvalidOperationException(outputLength is int m
                                ? $"Label column '{label.Name}' holds {labelCount} values in {role} row {row}; " +
                                  $"expected OutputLength × outputs values ({m} output steps, time-major)."
                                : $"Label column '{label.Name}' holds {labelCount} values in {role} row {row} for a sequence of {rowSteps} steps; " +
                                  "expected steps × outputs values (N vs N, time-major).");
                        }

                        outputSize = labelCount / head.OutputSteps(rowSteps);
                        valuesPerStep = outputSize;
                    }

                    int outputSteps = head.OutputSteps(rowSteps);
                    expectedTargets = outputSteps * valuesPerStep;
                    if (labelCount != expectedTargets)
                    {
                        throw new InvalidOperationException(outputLength is null
                            ? $"Label column '{label.Name}' holds {labelCount} values in {role} row {row} for a sequence of {rowSteps} steps; " +
                              $"expected {expectedTargets} ({outputSteps} output steps × {valuesPerStep} per step)."
                            : $"Label column '{label.Name}' holds {labelCount} values in {role} row {row}; " +
                              $"expected {expectedTargets} (OutputLength = {outputSteps} output steps × {valuesPerStep} per step).");
                    }
                }
                else
                {
                    expectedTargets = binding.LabelKind == RnnLabelKind.SingleVector ? outputSize : 1;
                    if (labelCount != expectedTargets)
                    {
                        throw new InvalidOperationException(
                            $"Label column '{label.Name}' holds {labelCount} values in {role} row {row}; expected {expectedTargets}.");
                    }
                }

                if (labelMissing)
                {
                    missing++;
                    continue;
                }

                if (!AllFinite(sequence.AsSpan(0, length)) || !AllFinite(labelValues.AsSpan(0, labelCount)))
                {
                    nonFinite++;
                    continue;
                }

                getWeight?.Invoke(ref weight);
                if (!(weight >= 0 && float.IsFinite(weight)))
                {
                    badWeight++;
                    continue;
                }

                features.Add(sequence.AsSpan(0, length));
                targets.Add(labelValues.AsSpan(0, labelCount));
                weights?.Add(weight);
            }
        }

        int targetsPerStep = binding.LabelKind switch
        {
            RnnLabelKind.SingleVector or RnnLabelKind.Single => outputSize == 0 ? 1 : outputSize,
            _ => 1,
        };
        return new RnnSequenceSet(inputSize, targetsPerStep, head, features, targets, weights?.ToArray(),
            new RnnSkipCounts(read, nonFinite, empty, missing, badWeight));
    }

    /// <summary>Reads the current row's label into <paramref name="values"/> as targets; returns how many.</summary>
    /// <param name="values">Grown as needed.</param>
    /// <param name="row">The row's index, for messages.</param>
    /// <param name="missing">True for a missing key label.</param>
    private delegate int LabelReader(ref float[] values, long row, out bool missing);

    private static LabelReader MakeLabelReader(DataViewRowCursor cursor, DataViewSchema.Column label, RnnLabelKind kind, string role)
    {
        switch (kind)
        {
            case RnnLabelKind.Single:
            {
                var get = cursor.GetGetter<float>(label);
                float v = 0;
                return (ref float[] values, long row, out bool missing) =>
                {
                    get(ref v);
                    Buffers.Grow(ref values, 1);
                    values[0] = v;
                    missing = false;
                    return 1;
                };
            }

            case RnnLabelKind.SingleVector:
            {
                var get = cursor.GetGetter<VBuffer<float>>(label);
                VBuffer<float> buffer = default;
                return (ref float[] values, long row, out bool missing) =>
                {
                    get(ref buffer);
                    Buffers.Grow(ref values, buffer.Length);
                    buffer.CopyTo(values.AsSpan(0, buffer.Length));
                    missing = false;
                    return buffer.Length;
                };
            }

            case RnnLabelKind.Boolean:
            {
                var get = cursor.GetGetter<bool>(label);
                bool v = false;
                return (ref float[] values, long row, out bool missing) =>
                {
                    get(ref v);
                    Buffers.Grow(ref values, 1);
                    values[0] = v ? 1f : 0f;
                    missing = false;
                    return 1;
                };
            }

            case RnnLabelKind.BooleanVector:
            {
                var get = cursor.GetGetter<VBuffer<bool>>(label);
                VBuffer<bool> buffer = default;
                bool[] dense = [];
                return (ref float[] values, long row, out bool missing) =>
                {
                    get(ref buffer);
                    Buffers.Grow(ref values, buffer.Length);
                    Buffers.Grow(ref dense, buffer.Length);
                    buffer.CopyTo(dense.AsSpan(0, buffer.Length));
                    for (int i = 0; i < buffer.Length; i++)
                        values[i] = dense[i] ? 1f : 0f;
                    missing = false;
                    return buffer.Length;
                };
            }

            default:
            {
                Type raw = (label.Type as VectorDataViewType)?.ItemType.RawType ?? label.Type.RawType;
                bool vector = kind == RnnLabelKind.KeyVector;
                if (raw == typeof(byte)) return KeyReader<byte>(cursor, label, vector, role);
                if (raw == typeof(ushort)) return KeyReader<ushort>(cursor, label, vector, role);
                if (raw == typeof(uint)) return KeyReader<uint>(cursor, label, vector, role);
                return KeyReader<ulong>(cursor, label, vector, role);
            }
        }
    }

    /// <summary>Key labels: key k (1-based) becomes class index k - 1; key 0 is a missing label; a key beyond the
    /// key type's count (which a key type does not prevent) is an error naming the column and the row.</summary>
    private static LabelReader KeyReader<T>(DataViewRowCursor cursor, DataViewSchema.Column label, bool vector, string role)
        where T : unmanaged, IBinaryInteger<T>
    {
        ulong classes = (((label.Type as VectorDataViewType)?.ItemType ?? label.Type) as KeyDataViewType)!.Count;

        // position: the key's index in a key vector, -1 for a scalar key.
        float ClassIndex(ulong key, long row, int position)
        {
            if (key > classes)
            {
                throw new InvalidOperationException(
                    $"Label column '{label.Name}' holds key {key}{(position >= 0 ? $" at position {position}" : "")} in {role} row {row}; " +
                    $"expected keys 1 to {classes} (the key type's count; 0 is a missing label).");
            }

            return key == 0 ? 0f : key - 1;
        }

        if (!vector)
        {
            var get = cursor.GetGetter<T>(label);
            T v = default;
            return (ref float[] values, long row, out bool missing) =>
            {
                get(ref v);
                Buffers.Grow(ref values, 1);
                ulong key = ulong.CreateTruncating(v);
                missing = key == 0;
                values[0] = ClassIndex(key, row, -1);
                return 1;
            };
        }

        var getVector = cursor.GetGetter<VBuffer<T>>(label);
        VBuffer<T> buffer = default;
        T[] dense = [];
        return (ref float[] values, long row, out bool missing) =>
        {
            getVector(ref buffer);
            Buffers.Grow(ref values, buffer.Length);
            Buffers.Grow(ref dense, buffer.Length);
            buffer.CopyTo(dense.AsSpan(0, buffer.Length));
            missing = false;
            for (int i = 0; i < buffer.Length; i++)
            {
                ulong key = ulong.CreateTruncating(dense[i]);
                missing |= key == 0;
                values[i] = ClassIndex(key, row, i);
            }

            return buffer.Length;
        };
    }

    /// <summary>Series buffers (one feature each, one value per step, equal lengths) into a time-major sequence.</summary>
    public static void Interleave(VBuffer<float>[] series, Span<float> sequence)
    {
        int features = series.Length;
        for (int j = 0; j < features; j++)
        {
            VBuffer<float> column = series[j];
            if (column.IsDense)
            {
                ReadOnlySpan<float> values = column.GetValues();
                for (int t = 0; t < values.Length; t++)
                    sequence[t * features + j] = values[t];
            }
            else
            {
                int steps = column.Length;
                for (int t = 0; t < steps; t++)
                    sequence[t * features + j] = 0f;
                ReadOnlySpan<float> values = column.GetValues();
                ReadOnlySpan<int> indices = column.GetIndices();
                for (int k = 0; k < values.Length; k++)
                    sequence[indices[k] * features + j] = values[k];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                return false;
        }

        return true;
    }
}
