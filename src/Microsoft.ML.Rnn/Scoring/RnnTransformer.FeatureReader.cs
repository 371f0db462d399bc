using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>What reading one row's features found: its steps, and whether the network can take them.</summary>
    /// <param name="Steps">Steps of the row (0 when its feature vectors disagree).</param>
    /// <param name="Valid">Whether the network can score it: at least one step, a length that fits the input size, at most <see cref="RowScorer.MaxSteps"/>.</param>
    /// <param name="TooLong">Not valid because it has more than <see cref="RowScorer.MaxSteps"/> steps.</param>
    private readonly record struct RowFeatures(int Steps, bool Valid, bool TooLong);

    /// <summary>
    /// Reads a row's feature columns (one vector of whole steps, or one vector per feature for a series) from a row,
    /// and copies them out time-major. A vector whose length differs from its column's declared size is inconsistent
    /// data and throws; a row the network cannot take is reported as not <see cref="RowFeatures.Valid"/>.
    /// </summary>
    private sealed class FeatureReader
    {
        private readonly RnnModelData _data;
        private readonly RnnSchemaBinding _binding;
        private readonly DataViewRow _input;
        private readonly int[] _declaredSizes;
        private readonly ValueGetter<VBuffer<float>>[] _sources;
        private readonly VBuffer<float>[] _buffers;

        /// <param name="data">The model.</param>
        /// <param name="binding">The feature columns bound to the input schema.</param>
        /// <param name="input">The row to read (a cursor over the feature columns at least).</param>
        /// <param name="featureIndices">The feature columns' indices in the input schema.</param>
        /// <param name="declaredSizes">Each feature column's known vector size, or 0 when variable.</param>
        public FeatureReader(RnnModelData data, RnnSchemaBinding binding, DataViewRow input, int[] featureIndices, int[] declaredSizes)
        {
            _data = data;
            _binding = binding;
            _input = input;
            _declaredSizes = declaredSizes;
            _sources = featureIndices.Select(i => input.GetGetter<VBuffer<float>>(input.Schema[i])).ToArray();
            _buffers = new VBuffer<float>[_sources.Length];
        }

        /// <summary>Reads the row's features; <see cref="CopySequence"/> then copies them out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public RowFeatures Read()
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

            // Decided before any copy, so a row of any length costs no more than its own vector.
            bool tooLong = valid && rowSteps > RowScorer.MaxSteps;
            return new RowFeatures(rowSteps, valid && !tooLong, tooLong);
        }

        /// <summary>Copies the last valid row read, time-major (<c>steps × input size</c> values), into <paramref name="sequence"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void CopySequence(Span<float> sequence)
        {
            if (_binding.IsSeries)
                RnnSequenceReader.Interleave(_buffers, sequence);
            else
                _buffers[0].CopyTo(sequence);
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
    }
}
