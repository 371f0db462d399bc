using System.Runtime.CompilerServices;
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

        /// <summary>Most bytes of activations a block's rows (and each batch of them, padded) may need: a few MB keeps a cursor's memory modest.</summary>
        internal const long MaxBlockBytes = 8L << 20;

        private readonly RnnNetwork _network;
        private readonly FeatureReader _reader;
        private readonly DataViewRowCursor _ahead;
        private readonly IHost _host;
        private readonly int _threads;
        private readonly int _inputSize;
        private readonly RowFeatures[] _rows = new RowFeatures[MaxBlockRows];
        private readonly int[] _offsets = new int[MaxBlockRows];
        private readonly int[] _outputStarts = new int[MaxBlockRows];
        private readonly int[] _lengths = new int[MaxBlockRows];
        private float[] _staged = [];
        private float[] _inputs = [];
        private float[] _outputs = [];
        private long _first;
        private int _count;
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
            return _outputs.AsSpan(_outputStarts[index], _network.OutputLength(row.Steps));
        }

        /// <summary>Reads and scores the rows after the current block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void NextBlock()
        {
            _host.CheckAlive();
            _first += _count;
            _count = 0;
            _failedRow = -1;
            _failure = null;
            long bytes = 0;
            int staged = 0;
            while (_count < MaxBlockRows && bytes < MaxBlockBytes && _ahead.MoveNext())
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
                    Buffers.Grow(ref _staged, staged + length);
                    _reader.CopySequence(_staged.AsSpan(staged, length));
                    _offsets[_count] = staged;
                    staged += length;
                    bytes += Bytes(1, row.Steps);
                }

                _count++;
            }

            if (_count == 0)
                throw new InvalidOperationException("The look-ahead cursor ended before the main cursor: the source did not give both cursors the same rows.");
            Score();
        }

        /// <summary>
        /// Scores the block's valid rows in batches of consecutive rows that, padded to their longest, stay within
        /// <see cref="MaxBlockBytes"/> (a row alone always runs), so one long row does not pad many short ones.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Score()
        {
            int outputEnd = 0;
            for (int first = 0; first < _count;)
            {
                int end = first, valid = 0, steps = 0;
                for (; end < _count; end++)
                {
                    RowFeatures row = _rows[end];
                    if (end == _failedRow || !row.Valid)
                        continue;
                    int longest = Math.Max(steps, row.Steps);
                    if (valid > 0 && Bytes(valid + 1, longest) > MaxBlockBytes)
                        break;
                    _lengths[valid++] = row.Steps;
                    steps = longest;
                }

                if (valid > 0)
                    outputEnd = ScoreBatch(first, end, valid, steps, outputEnd);
                first = end;
            }
        }

        /// <summary>Lays rows [<paramref name="first"/>, <paramref name="end"/>) out batch-first, padded to <paramref name="steps"/>, runs them, and returns where their outputs end.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ScoreBatch(int first, int end, int valid, int steps, int outputStart)
        {
            int rowValues = steps * _inputSize, perRow = _network.OutputLength(steps);
            Buffers.Grow(ref _inputs, valid * rowValues);
            Span<float> inputs = _inputs.AsSpan(0, valid * rowValues);
            inputs.Clear();
            Buffers.Grow(ref _outputs, outputStart + valid * perRow);
            for (int i = first, b = 0; i < end; i++)
            {
                RowFeatures row = _rows[i];
                if (i == _failedRow || !row.Valid)
                    continue;
                _staged.AsSpan(_offsets[i], row.Steps * _inputSize).CopyTo(inputs[(b * rowValues)..]);
                _outputStarts[i] = outputStart + b * perRow;
                b++;
            }

            _network.Predict(new SequenceBatch(inputs, _lengths.AsSpan(0, valid), steps), _outputs.AsSpan(outputStart, valid * perRow), _threads);
            return outputStart + valid * perRow;
        }

        private long Bytes(int rows, int steps) => sizeof(float) * MemoryEstimate.ActivationFloats(_network.Shape, rows, steps, training: false);
    }
}
