using System.Runtime.ExceptionServices;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>
    /// Scores rows in blocks: reads the next block of consecutive rows from a look-ahead cursor over the feature columns,
    /// runs the valid ones through the network's batch prediction on all cores, and serves each row's raw values when the
    /// main cursor reaches it. Every row's values are bit for bit those of <see cref="SingleRowScores"/> (the batch
    /// prediction's contract). A row that cannot be scored keeps its place; one whose reading threw throws when reached.
    /// </summary>
    private sealed class LookAheadScores : IRawScores
    {
        /// <summary>Most rows in a block: enough for every core to get blocks of rows of its own.</summary>
        internal const int MaxBlockRows = 256;

        /// <summary>Most bytes of activations a block's batch may need (a few MB keeps a cursor's memory modest).</summary>
        internal const long MaxBlockBytes = 8L << 20;

        private readonly RnnNetwork _network;
        private readonly FeatureReader _reader;
        private readonly DataViewRowCursor _ahead;
        private readonly IHost _host;
        private readonly int _threads;
        private readonly int _inputSize;
        private readonly RowFeatures[] _rows = new RowFeatures[MaxBlockRows];
        private readonly int[] _offsets = new int[MaxBlockRows];
        private readonly int[] _batchRows = new int[MaxBlockRows];
        private readonly int[] _lengths = new int[MaxBlockRows];
        private float[] _staged = [];
        private float[] _inputs = [];
        private float[] _outputs = [];
        private long _first;
        private int _count;
        private int _perRow;
        private int _failedRow = -1;
        private ExceptionDispatchInfo? _failure;

        /// <param name="network">The network.</param>
        /// <param name="reader">Reads the look-ahead cursor's rows.</param>
        /// <param name="ahead">A cursor over the same rows as the main cursor, in the same order, with the feature columns active.</param>
        /// <param name="host">Checked for cancellation before each block.</param>
        /// <param name="threads">Threads a block's batch may use.</param>
        public LookAheadScores(RnnNetwork network, FeatureReader reader, DataViewRowCursor ahead, IHost host, int threads)
        {
            _network = network;
            _reader = reader;
            _ahead = ahead;
            _host = host;
            _threads = threads;
            _inputSize = network.Shape.InputSize;
        }

        public ReadOnlySpan<float> Get(long position, out RowFeatures row)
        {
            while (position >= _first + _count)
                NextBlock();
            int index = (int)(position - _first);
            if (index == _failedRow)
                _failure!.Throw();
            row = _rows[index];
            if (!row.Valid)
                return default;
            return _outputs.AsSpan(_batchRows[index] * _perRow, _network.OutputLength(row.Steps));
        }

        /// <summary>Reads and scores the rows after the current block.</summary>
        private void NextBlock()
        {
            _host.CheckAlive();
            _first += _count;
            _count = 0;
            _failedRow = -1;
            _failure = null;
            int valid = 0, steps = 0, staged = 0;
            while (_count < MaxBlockRows && _ahead.MoveNext())
            {
                RowFeatures row;
                try
                {
                    row = _reader.Read();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Thrown where the main cursor reaches this row, as row-by-row scoring would; the block ends here.
                    _failedRow = _count++;
                    _failure = ExceptionDispatchInfo.Capture(e);
                    break;
                }

                _rows[_count] = row;
                if (row.Valid)
                {
                    int length = row.Steps * _inputSize;
                    RowScorer.Grow(ref _staged, staged + length);
                    _reader.CopySequence(_staged.AsSpan(staged, length));
                    _offsets[_count] = staged;
                    _batchRows[_count] = valid;
                    _lengths[valid++] = row.Steps;
                    staged += length;
                    steps = Math.Max(steps, row.Steps);
                }

                _count++;
                if (sizeof(float) * MemoryEstimate.ActivationFloats(_network.Shape, valid, steps, training: false) >= MaxBlockBytes)
                    break;
            }

            if (_count == 0)
                throw new InvalidOperationException("The look-ahead cursor ended before the main cursor: the source did not give both cursors the same rows.");
            if (valid > 0)
                Score(valid, steps);
        }

        /// <summary>Lays the staged sequences out batch-first, padded to <paramref name="steps"/>, and runs the batch.</summary>
        private void Score(int valid, int steps)
        {
            int rowValues = steps * _inputSize;
            RowScorer.Grow(ref _inputs, valid * rowValues);
            Span<float> inputs = _inputs.AsSpan(0, valid * rowValues);
            inputs.Clear();
            for (int i = 0; i < _count; i++)
            {
                RowFeatures row = _rows[i];
                if (row.Valid && i != _failedRow)
                    _staged.AsSpan(_offsets[i], row.Steps * _inputSize).CopyTo(inputs[(_batchRows[i] * rowValues)..]);
            }

            _perRow = _network.OutputLength(steps);
            RowScorer.Grow(ref _outputs, valid * _perRow);
            _network.Predict(new SequenceBatch(inputs, _lengths.AsSpan(0, valid), steps), _outputs.AsSpan(0, valid * _perRow), _threads);
        }
    }
}
