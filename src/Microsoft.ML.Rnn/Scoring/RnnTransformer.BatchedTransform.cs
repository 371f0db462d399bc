using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>
    /// What <see cref="Transform"/> returns: ML.NET's row-by-row view (<c>RowToRowMapperTransform</c>) with cursors that
    /// score in blocks (<see cref="BatchedCursor"/>). Everything else is the row-by-row view's: the schema, the row count,
    /// saving, ONNX export (ML.NET's converter walks <see cref="IDataTransform.Source"/> and asks each step for
    /// <see cref="ITransformCanSaveOnnx"/>), and shuffled cursors, whose rows a look-ahead cursor could not follow.
    /// </summary>
    private sealed class BatchedTransform : ITransformCanSaveOnnx
    {
        private readonly ITransformCanSaveOnnx _rowByRow;
        private readonly Mapper _mapper;
        private readonly int _firstOutput;

        /// <param name="rowByRow">The row-by-row view over the input.</param>
        /// <param name="mapper">A mapper bound to the input's schema, which makes the batched cursors' output getters.</param>
        public BatchedTransform(ITransformCanSaveOnnx rowByRow, Mapper mapper)
        {
            _rowByRow = rowByRow;
            _mapper = mapper;
            _firstOutput = rowByRow.Source.Schema.Count;
        }

        public IDataView Source => _rowByRow.Source;

        public DataViewSchema Schema => _rowByRow.Schema;

        public bool CanShuffle => _rowByRow.CanShuffle;

        public long? GetRowCount() => _rowByRow.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            DataViewSchema.Column[] needed = columnsNeeded.ToArray();
            bool[] outputs = new bool[Schema.Count - _firstOutput];
            foreach (DataViewSchema.Column column in needed)
            {
                if (column.Index >= _firstOutput)
                    outputs[column.Index - _firstOutput] = true;
            }

            if (rand is not null || !outputs.Contains(true))
                return _rowByRow.GetRowCursor(needed, rand);

            // The main cursor serves everything but the outputs; the look-ahead one reads the features of the rows to come.
            DataViewRowCursor main = _rowByRow.GetRowCursor(needed.Where(c => c.Index < _firstOutput));
            DataViewRowCursor ahead = Source.GetRowCursor(_mapper.FeatureColumns);
            return new BatchedCursor(main, ahead, _mapper, outputs, _firstOutput);
        }

        /// <summary>One batched cursor (it already runs each block on all cores); ML.NET takes fewer cursors than asked.</summary>
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            rand is not null ? _rowByRow.GetRowCursorSet(columnsNeeded, n, rand) : [GetRowCursor(columnsNeeded)];

        public void Save(ModelSaveContext ctx) => _rowByRow.Save(ctx);

        public bool CanSaveOnnx(OnnxContext ctx) => _rowByRow.CanSaveOnnx(ctx);

        public void SaveAsOnnx(OnnxContext ctx) => _rowByRow.SaveAsOnnx(ctx);
    }
}
