using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>
    /// One cursor's scoring state: gets the current row's raw head values once per row (by position) from an
    /// <see cref="IRawScores"/> and derives every output from them. Buffers grow to the longest row and are reused. A row
    /// the network cannot take (zero steps, a length that does not fit the input size, more steps than the core accepts)
    /// scores NaN and is counted; a row whose vector length differs from its column's declared size is inconsistent data
    /// and throws (from <see cref="FeatureReader"/>).
    /// </summary>
    private sealed class RowScorer
    {
        /// <summary>The most steps the core takes in a sequence (<see cref="SequenceBatch.Validate"/>).</summary>
        public const int MaxSteps = RnnNetworkShape.MaxDimension;

        private readonly RnnModelData _data;
        private readonly DataViewRow _input;
        private readonly IRawScores _scores;
        private readonly RnnTask _task;
        private readonly HeadStructure _head;
        private readonly RnnPredictiveDistribution? _distribution;
        private long _position = -1;

        /// <param name="data">The model.</param>
        /// <param name="input">The cursor's row, whose position says which row is current.</param>
        /// <param name="scores">Where each row's raw head values come from.</param>
        public RowScorer(RnnModelData data, DataViewRow input, IRawScores scores)
        {
            _data = data;
            _input = input;
            _scores = scores;
            _task = data.Options.Task;
            _head = data.Network.Shape.HeadStructure;
            _distribution = data.PredictiveDistribution;
        }

        /// <summary>Raw head output, then: regression the values (in the label's units when training standardised it), binary the logits, multiclass the softmax per step.</summary>
        public float[] Score { get; private set; } = [];

        /// <summary>A distribution model's standard deviation per score value (in the label's units, calibrated).</summary>
        public float[] StandardDeviation { get; private set; } = [];

        /// <summary>A distribution model's lower interval bound per score value.</summary>
        public float[] LowerBound { get; private set; } = [];

        /// <summary>A distribution model's upper interval bound per score value.</summary>
        public float[] UpperBound { get; private set; } = [];

        /// <summary>Rows scored so far whose predicted scale was unusable (NaN interval columns).</summary>
        public long RowsWithoutInterval { get; private set; }

        /// <summary>Binary: sigmoid of each logit.</summary>
        public float[] Probability { get; private set; } = [];

        /// <summary>Binary: 1 for a positive logit; multiclass: the 1-based key of the largest score (0 when NaN).</summary>
        public uint[] Predicted { get; private set; } = [];

        /// <summary>Values in <see cref="Score"/> and <see cref="Probability"/> for the current row.</summary>
        public int OutputLength { get; private set; }

        /// <summary>Values in <see cref="Predicted"/> for the current row.</summary>
        public int PredictedLength { get; private set; }

        /// <summary>Rows scored so far.</summary>
        public long RowsScored { get; private set; }

        /// <summary>Rows scored NaN so far, for any reason.</summary>
        public long RowsUnscored { get; private set; }

        /// <summary>Rows scored NaN so far for having more than <see cref="MaxSteps"/> steps.</summary>
        public long RowsTooLong { get; private set; }

        /// <summary>Scores the current row if it has not been scored yet.</summary>
        public RowScorer Current()
        {
            if (_input.Position != _position)
            {
                ReadOnlySpan<float> raw = _scores.Get(_input.Position, out RowFeatures row);
                Derive(row, raw);
                _position = _input.Position;
            }

            return this;
        }

        /// <summary>Every output column of a row from its raw head values (<paramref name="raw"/>, empty when the row is not valid).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Derive(RowFeatures row, ReadOnlySpan<float> raw)
        {
            RowsScored++;
            RowsUnscored += row.Valid ? 0 : 1;
            RowsTooLong += row.TooLong ? 1 : 0;
            int outputs = _data.OutputSize;
            int groups = _head.OutputSteps(row.Steps);
            OutputLength = groups * outputs;
            PredictedLength = groups;

            float[] score = Score;
            Buffers.Grow(ref score, OutputLength);
            Score = score;
            if (_distribution is not null)
            {
                DeriveDistribution(row.Valid, raw, groups, outputs);
                return;
            }

            Span<float> values = Score.AsSpan(0, OutputLength);
            if (row.Valid)
            {
                raw.CopyTo(values);
                _data.LabelStandardization?.Restore(values);
            }
            else
            {
                values.Fill(float.NaN);
            }

            uint[] predicted = Predicted;
            Buffers.Grow(ref predicted, groups);
            Predicted = predicted;
            switch (_task)
            {
                case RnnTask.BinaryClassification:
                    float[] probability = Probability;
                    Buffers.Grow(ref probability, OutputLength);
                    Probability = probability;
                    if (OutputLength > 0) // a row of zero steps has no steps to score (TensorPrimitives refuses empty spans)
                        TensorPrimitives.Sigmoid(values, Probability.AsSpan(0, OutputLength));
                    for (int i = 0; i < groups; i++)
                        Predicted[i] = values[i] > 0f ? 1u : 0u;
                    break;
                case RnnTask.MulticlassClassification:
                    for (int g = 0; g < groups; g++)
                    {
                        Span<float> step = values.Slice(g * outputs, outputs);
                        Softmax(step);
                        Predicted[g] = ArgMaxKey(step);
                    }

                    break;
            }
        }

        /// <summary>A distribution model's row: the network's raw values (means, then raw scales and degrees of freedom) become
        /// Score (the mean) and the interval columns; a row with an unusable scale gets NaN there and is counted.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DeriveDistribution(bool valid, ReadOnlySpan<float> raw, int groups, int outputs)
        {
            float[] deviation = StandardDeviation, lower = LowerBound, upper = UpperBound;
            Buffers.Grow(ref deviation, OutputLength);
            Buffers.Grow(ref lower, OutputLength);
            Buffers.Grow(ref upper, OutputLength);
            StandardDeviation = deviation;
            LowerBound = lower;
            UpperBound = upper;
            if (!valid)
            {
                foreach (float[] column in new[] { Score, StandardDeviation, LowerBound, UpperBound })
                    column.AsSpan(0, OutputLength).Fill(float.NaN);
                return;
            }

            int width = _data.Network.Shape.OutputWidth;
            bool usable = true;
            for (int g = 0; g < groups; g++)
            {
                ReadOnlySpan<float> step = raw.Slice(g * width, width);
                for (int j = 0; j < outputs; j++)
                {
                    int i = g * outputs + j;
                    usable &= _distribution!.Write(step, outputs, j, out Score[i], out StandardDeviation[i], out LowerBound[i], out UpperBound[i]);
                }
            }

            RowsWithoutInterval += usable ? 0 : 1;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Softmax(Span<float> values)
        {
            float max = float.NegativeInfinity;
            foreach (float v in values)
                max = Math.Max(max, v);
            if (!float.IsFinite(max))
            {
                values.Fill(float.NaN);
                return;
            }

            float sum = 0f;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = MathF.Exp(values[i] - max);
                sum += values[i];
            }

            for (int i = 0; i < values.Length; i++)
                values[i] /= sum;
        }

        /// <summary>The multiclass <c>PredictedLabel</c>: the key (1-based) of the largest probability; 0 when any is NaN.</summary>
        internal static uint ArgMaxKey(ReadOnlySpan<float> probabilities)
        {
            int best = -1;
            for (int i = 0; i < probabilities.Length; i++)
            {
                if (float.IsNaN(probabilities[i]))
                    return 0;
                if (best < 0 || probabilities[i] > probabilities[best])
                    best = i;
            }

            return (uint)(best + 1);
        }
    }
}
