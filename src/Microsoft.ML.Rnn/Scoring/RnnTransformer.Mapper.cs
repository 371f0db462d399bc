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
            disposer = null!;
            if (!Enumerable.Range(0, count).Any(activeOutput))
                return new Delegate[count];
            return CreateGetters(NewSingleRowScorer(input), activeOutput, out disposer);
        }

        /// <summary>
        /// The getters of a batched cursor (<see cref="BatchedCursor"/>) at <paramref name="cursor"/>'s rows, scored in blocks
        /// read ahead from <paramref name="ahead"/> (a cursor over this mapper's input with the feature columns active).
        /// </summary>
        public Delegate[] CreateLookAheadGetters(DataViewRow cursor, DataViewRowCursor ahead, Func<int, bool> activeOutput, out Action disposer)
        {
            var scores = new LookAheadScores(_data.Network, NewReader(ahead), ahead, Host, ParallelWorkers.MaxParallelism);
            return CreateGetters(new RowScorer(_data, cursor, scores), activeOutput, out disposer);
        }

        /// <summary>The input schema's feature columns, which a look-ahead cursor reads.</summary>
        public IEnumerable<DataViewSchema.Column> FeatureColumns => _featureIndices.Select(i => InputSchema[i]);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            RowScorer scorer = NewSingleRowScorer(input);
            disposer = () => LogUnscoredRows(scorer);
            return MakeGetter(scorer, iinfo);
        }

        private Delegate[] CreateGetters(RowScorer scorer, Func<int, bool> activeOutput, out Action disposer)
        {
            var getters = new Delegate[OutputColumns.Value.Length];
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = MakeGetter(scorer, i);
            }

            disposer = () => LogUnscoredRows(scorer);
            return getters;
        }

        private FeatureReader NewReader(DataViewRow input) => new(_data, _binding, input, _featureIndices, _declaredSizes);

        /// <summary>A scorer of <paramref name="input"/>'s rows one at a time.</summary>
        private RowScorer NewSingleRowScorer(DataViewRow input) => new(_data, input, new SingleRowScores(_data.Network, NewReader(input)));

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
}
