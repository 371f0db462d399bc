using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>Where a <see cref="RowScorer"/> gets each row's raw head values: one row at a time, or from a scored block.</summary>
    private interface IRawScores
    {
        /// <summary>
        /// The raw head values (<c>output steps × OutputWidth</c>) of the row at <paramref name="position"/> of the cursor,
        /// empty when <paramref name="row"/> is not valid. Rows are asked for in increasing positions.
        /// </summary>
        ReadOnlySpan<float> Get(long position, out RowFeatures row);
    }

    /// <summary>Row by row: reads the cursor's current row and runs the network on it alone (prediction engines, shuffled cursors).</summary>
    private sealed class SingleRowScores(RnnNetwork network, FeatureReader reader) : IRawScores
    {
        private float[] _sequence = [];
        private float[] _raw = [];

        public ReadOnlySpan<float> Get(long position, out RowFeatures row)
        {
            row = reader.Read();
            if (!row.Valid)
                return default;
            int length = row.Steps * network.Shape.InputSize;
            Buffers.Grow(ref _sequence, length);
            reader.CopySequence(_sequence.AsSpan(0, length));
            int outputs = network.OutputLength(row.Steps);
            Buffers.Grow(ref _raw, outputs);
            network.Predict(_sequence.AsSpan(0, length), _raw.AsSpan(0, outputs));
            return _raw.AsSpan(0, outputs);
        }
    }
}
