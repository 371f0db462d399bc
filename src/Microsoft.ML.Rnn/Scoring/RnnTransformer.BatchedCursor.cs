using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>
    /// A cursor of <see cref="BatchedTransform"/>: the row-by-row view's cursor for the input's columns, the position and
    /// the ids, and output getters fed by blocks scored ahead (<see cref="LookAheadScores"/>) over a second cursor on the input.
    /// </summary>
    private sealed class BatchedCursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor _ahead;
        private readonly Delegate[] _outputs;
        private readonly int _firstOutput;
        private readonly Action _disposer;
        private bool _disposed;

        /// <param name="main">The row-by-row view's cursor over the needed input columns.</param>
        /// <param name="ahead">A cursor over the input with the feature columns active; this cursor owns it.</param>
        /// <param name="mapper">Makes the output getters.</param>
        /// <param name="activeOutputs">Which output columns were asked for.</param>
        /// <param name="firstOutput">Index of the first output column in the schema (the outputs follow the input's columns).</param>
        public BatchedCursor(DataViewRowCursor main, DataViewRowCursor ahead, Mapper mapper, bool[] activeOutputs, int firstOutput)
        {
            _main = main;
            _ahead = ahead;
            _firstOutput = firstOutput;
            _outputs = mapper.CreateLookAheadGetters(this, ahead, i => activeOutputs[i], out _disposer);
        }

        public override DataViewSchema Schema => _main.Schema;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override bool MoveNext() => _main.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index >= _firstOutput ? _outputs[column.Index - _firstOutput] is not null : _main.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _firstOutput)
                return _main.GetGetter<TValue>(column);
            Delegate getter = _outputs[column.Index - _firstOutput]
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not asked for when this cursor was made.");
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException(
                    $"Column '{column.Name}' holds {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
                return;
            if (disposing)
            {
                _disposer();
                _ahead.Dispose();
                _main.Dispose();
            }

            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
