using System.Numerics.Tensors;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>Binds the model to an input schema and makes the output getters; writes itself into ONNX for
    /// <c>ConvertToOnnx</c> (<see cref="ISaveAsOnnx"/>, the interface ML.NET's converter asks row mappers for).</summary>
    private sealed class Mapper : MapperBase, ISaveAsOnnx
    {
        private readonly RnnTransformer _owner;
        private readonly RnnModelData _data;
        private readonly RnnSchemaBinding _binding;
        private readonly int[] _featureIndices;
        private readonly int[] _declaredSizes;

        public Mapper(RnnTransformer owner, DataViewSchema schema)
            : base(owner.Host.Register(nameof(Mapper)), schema, owner)
        {
            _owner = owner;
            _data = owner._model;
            _binding = RnnSchemaBinding.ForScoring(_data.Options.Head, _data.FeatureColumns, _data.IsSeries, _data.InputSize,
                name => schema.GetColumnOrNull(name) is { } column ? RnnColumnInfo.From(column) : null);
            _featureIndices = _data.FeatureColumns.Select(n => schema[n].Index).ToArray();
            _declaredSizes = _featureIndices.Select(i => RnnColumnInfo.From(schema[i]).VectorSize).ToArray();
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            RnnOutputColumns.GetColumns(_data.Options.Task, _data.Network.Shape.HeadStructure, _data.OutputSize, _data.ScalarScore, _binding.Steps, _data.KeyValues,
                _data.Network.Shape.Distribution);

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);
            return column => any && _featureIndices.Contains(column);
        }

        protected override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);

        // True for every model: one the export cannot write exactly throws a NotSupportedException naming what from
        // SaveAsOnnx, where returning false here would only make the converter drop the RNN with a vague message.
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) => RnnOnnxExport.Save(ctx, _data, OutputColumns.Value);

        /// <summary>All active outputs of one cursor share one scorer, so a row runs the network once; disposing the cursor
        /// logs the rows it scored NaN. A cursor that reads none of them (only the input's columns) gets no scorer: its
        /// feature columns are not active, so it could not read them.</summary>
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            int count = OutputColumns.Value.Length;
            var getters = new Delegate[count];
            disposer = null!;
            if (!Enumerable.Range(0, count).Any(activeOutput))
                return getters;

            var scorer = NewScorer(input);
            for (int i = 0; i < count; i++)
            {
                if (activeOutput(i))
                    getters[i] = MakeGetter(scorer, i);
            }

            disposer = () => LogUnscoredRows(scorer);
            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            var scorer = NewScorer(input);
            disposer = () => LogUnscoredRows(scorer);
            return MakeGetter(scorer, iinfo);
        }

        private RowScorer NewScorer(DataViewRow input) => new(_data, _binding, input, _featureIndices, _declaredSizes);

        /// <summary>Rows that score NaN are not errors (one bad row should not stop a pass), so they are counted in the log.</summary>
        private void LogUnscoredRows(RowScorer scorer)
        {
            if (scorer.RowsWithoutInterval > 0)
            {
                using IChannel intervals = Host.Start("Scoring RNN");
                intervals.Warning(
                    "RNN scoring: {0} of {1} scored rows predicted a scale that is not a positive finite number; their StandardDeviation, LowerBound and UpperBound are NaN.",
                    scorer.RowsWithoutInterval, scorer.RowsScored - scorer.RowsUnscored);
            }

            if (scorer.RowsUnscored == 0)
                return;
            using IChannel channel = Host.Start("Scoring RNN");
            channel.Warning(
                "RNN scoring: {0} of {1} rows scored NaN: {2} with zero steps or a length that does not fit the input size, {3} longer than {4} steps.",
                scorer.RowsUnscored, scorer.RowsScored, scorer.RowsUnscored - scorer.RowsTooLong, scorer.RowsTooLong, RowScorer.MaxSteps);
        }

        private Delegate MakeGetter(RowScorer scorer, int column)
        {
            string name = OutputColumns.Value[column].Name;
            bool vector = OutputColumns.Value[column].Type is VectorDataViewType;
            return (name, _data.Options.Task, vector) switch
            {
                (RnnOutputColumns.Score, _, false) => (ValueGetter<float>)((ref float value) => value = scorer.Current().Score[0]),
                (RnnOutputColumns.Score, _, true) => VectorGetter(scorer, s => s.Score),
                (RnnOutputColumns.StandardDeviation, _, false) => (ValueGetter<float>)((ref float value) => value = scorer.Current().StandardDeviation[0]),
                (RnnOutputColumns.StandardDeviation, _, true) => VectorGetter(scorer, s => s.StandardDeviation),
                (RnnOutputColumns.LowerBound, _, false) => (ValueGetter<float>)((ref float value) => value = scorer.Current().LowerBound[0]),
                (RnnOutputColumns.LowerBound, _, true) => VectorGetter(scorer, s => s.LowerBound),
                (RnnOutputColumns.UpperBound, _, false) => (ValueGetter<float>)((ref float value) => value = scorer.Current().UpperBound[0]),
                (RnnOutputColumns.UpperBound, _, true) => VectorGetter(scorer, s => s.UpperBound),
                (RnnOutputColumns.Probability, _, false) => (ValueGetter<float>)((ref float value) => value = scorer.Current().Probability[0]),
                (RnnOutputColumns.Probability, _, true) => VectorGetter(scorer, s => s.Probability),
                (RnnOutputColumns.PredictedLabel, RnnTask.BinaryClassification, false) =>
                    (ValueGetter<bool>)((ref bool value) => value = scorer.Current().Predicted[0] != 0),
                (RnnOutputColumns.PredictedLabel, RnnTask.BinaryClassification, true) =>
                    (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> value) =>
                    {
                        RowScorer s = scorer.Current();
                        var editor = VBufferEditor.Create(ref value, s.PredictedLength);
                        for (int i = 0; i < s.PredictedLength; i++)
                            editor.Values[i] = s.Predicted[i] != 0;
                        value = editor.Commit();
                    }),
                (RnnOutputColumns.PredictedLabel, _, false) => (ValueGetter<uint>)((ref uint value) => value = scorer.Current().Predicted[0]),
                (RnnOutputColumns.PredictedLabel, _, true) =>
                    (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
                    {
                        RowScorer s = scorer.Current();
                        var editor = VBufferEditor.Create(ref value, s.PredictedLength);
                        s.Predicted.AsSpan(0, s.PredictedLength).CopyTo(editor.Values);
                        value = editor.Commit();
                    }),
                _ => throw new InvalidOperationException($"No getter for output column '{name}'."),
            };
        }

        private static ValueGetter<VBuffer<float>> VectorGetter(RowScorer scorer, Func<RowScorer, float[]> select) =>
            (ref VBuffer<float> value) =>
            {
                RowScorer s = scorer.Current();
                var editor = VBufferEditor.Create(ref value, s.OutputLength);
                select(s).AsSpan(0, s.OutputLength).CopyTo(editor.Values);
                value = editor.Commit();
            };
    }

    /// <summary>
    /// One cursor's scoring state: reads the current row's features, runs the network once per row (by position)
    /// and derives every output from the raw head values. Buffers grow to the longest row and are reused. A row the network
    /// cannot take (zero steps, a length that does not fit the input size, more steps than the core accepts) scores NaN and is
    /// counted; a row whose vector length differs from its column's declared size is inconsistent data and throws.
    /// </summary>
    private sealed class RowScorer
    {
        /// <summary>The most steps the core takes in a sequence (<see cref="SequenceBatch.Validate"/>).</summary>
        public const int MaxSteps = RnnNetworkShape.MaxDimension;

        private readonly RnnModelData _data;
        private readonly RnnSchemaBinding _binding;
        private readonly DataViewRow _input;
        private readonly int[] _declaredSizes;
        private readonly ValueGetter<VBuffer<float>>[] _sources;
        private readonly VBuffer<float>[] _buffers;
        private readonly RnnTask _task;
        private readonly HeadStructure _head;
        private readonly RnnPredictiveDistribution? _distribution;
        private long _position = -1;
        private float[] _sequence = [];
        private float[] _raw = [];

        /// <param name="data">The model.</param>
        /// <param name="binding">The feature columns bound to the input schema.</param>
        /// <param name="input">The cursor's row.</param>
        /// <param name="featureIndices">The feature columns' indices in the input schema.</param>
        /// <param name="declaredSizes">Each feature column's known vector size, or 0 when variable.</param>
        public RowScorer(RnnModelData data, RnnSchemaBinding binding, DataViewRow input, int[] featureIndices, int[] declaredSizes)
        {
            _data = data;
            _binding = binding;
            _input = input;
            _declaredSizes = declaredSizes;
            _sources = featureIndices.Select(i => input.GetGetter<VBuffer<float>>(input.Schema[i])).ToArray();
            _buffers = new VBuffer<float>[_sources.Length];
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
                Compute();
                _position = _input.Position;
            }

            return this;
        }

        private void Compute()
        {
            int inputSize = _data.InputSize;
            int rowSteps;
            bool valid;
            if (!_binding.IsSeries)
            {
                Read(0);
                int values = _buffers[0].Length;
                rowSteps = values / inputSize;
                valid = values > 0 && values % inputSize == 0;
            }
            else
            {
                int steps = -1;
                valid = true;
                for (int j = 0; j < _sources.Length; j++)
                {
                    Read(j);
                    valid &= steps < 0 || _buffers[j].Length == steps;
                    steps = Math.Max(steps, _buffers[j].Length);
                }

                rowSteps = valid ? steps : 0;
                valid &= rowSteps > 0;
            }

            // Checked before the copy, so a row of any length costs no more than its own vector.
            bool tooLong = valid && rowSteps > MaxSteps;
            valid &= !tooLong;
            RowsScored++;
            RowsUnscored += valid ? 0 : 1;
            RowsTooLong += tooLong ? 1 : 0;
            int length = valid ? rowSteps * inputSize : 0;
            if (valid)
            {
                Grow(ref _sequence, length);
                if (_binding.IsSeries)
                    RnnSequenceReader.Interleave(_buffers, _sequence.AsSpan(0, length));
                else
                    _buffers[0].CopyTo(_sequence.AsSpan(0, length));
            }

            int outputs = _data.OutputSize;
            int groups = _head.OutputSteps(rowSteps);
            OutputLength = groups * outputs;
            PredictedLength = groups;

            float[] score = Score;
            Grow(ref score, OutputLength);
            Score = score;
            Span<float> raw = Score.AsSpan(0, OutputLength);
            if (_distribution is not null)
            {
                ComputeDistribution(valid, length, groups, outputs);
                return;
            }

            if (valid)
            {
                _data.Network.Predict(_sequence.AsSpan(0, length), raw);
                _data.LabelStandardization?.Restore(raw);
            }
            else
            {
                raw.Fill(float.NaN);
            }

            uint[] predicted = Predicted;
            Grow(ref predicted, groups);
            Predicted = predicted;
            switch (_task)
            {
                case RnnTask.BinaryClassification:
                    float[] probability = Probability;
                    Grow(ref probability, OutputLength);
                    Probability = probability;
                    TensorPrimitives.Sigmoid(raw, Probability.AsSpan(0, OutputLength));
                    for (int i = 0; i < groups; i++)
                        Predicted[i] = raw[i] > 0f ? 1u : 0u;
                    break;
                case RnnTask.MulticlassClassification:
                    for (int g = 0; g < groups; g++)
                    {
                        Span<float> step = raw.Slice(g * outputs, outputs);
                        Softmax(step);
                        Predicted[g] = ArgMaxKey(step);
                    }

                    break;
            }
        }

        /// <summary>A distribution model's row: the network's raw values (means, then raw scales and degrees of freedom) become
        /// Score (the mean) and the interval columns; a row with an unusable scale gets NaN there and is counted.</summary>
        private void ComputeDistribution(bool valid, int length, int groups, int outputs)
        {
            float[] deviation = StandardDeviation, lower = LowerBound, upper = UpperBound;
            Grow(ref deviation, OutputLength);
            Grow(ref lower, OutputLength);
            Grow(ref upper, OutputLength);
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
            Grow(ref _raw, groups * width);
            _data.Network.Predict(_sequence.AsSpan(0, length), _raw.AsSpan(0, groups * width));
            bool usable = true;
            for (int g = 0; g < groups; g++)
            {
                ReadOnlySpan<float> step = _raw.AsSpan(g * width, width);
                for (int j = 0; j < outputs; j++)
                {
                    int i = g * outputs + j;
                    usable &= _distribution!.Write(step, outputs, j, out Score[i], out StandardDeviation[i], out LowerBound[i], out UpperBound[i]);
                }
            }

            RowsWithoutInterval += usable ? 0 : 1;
        }

        /// <summary>Reads feature column <paramref name="column"/>, refusing a vector whose length is not its type's size.</summary>
        private void Read(int column)
        {
            _sources[column](ref _buffers[column]);
            int declared = _declaredSizes[column];
            if (declared > 0 && _buffers[column].Length != declared)
            {
                throw new InvalidOperationException(
                    $"{(_binding.IsSeries ? "Series" : "Feature")} column '{_binding.FeatureColumns[column]}' is declared with {declared} values " +
                    $"but this row holds {_buffers[column].Length} (row {_input.Position}); a row must hold as many values as its column's type says.");
            }
        }

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

        private static void Grow<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
                Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
        }
    }
}
