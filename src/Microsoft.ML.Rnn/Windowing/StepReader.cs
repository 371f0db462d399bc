using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Reads one input column of the current source row into a step's feature slots as doubles, without allocating:
/// the getter and any vector buffer are created once per cursor.
/// </summary>
internal abstract class StepReader
{
    /// <summary>Writes the column's value(s) of the current source row to <paramref name="destination"/>.</summary>
    public abstract void Read(Span<double> destination);

    public static StepReader Create(DataViewRowCursor source, SequenceWindowBinding.InputColumn input) => input switch
    {
        { IsVector: false, IsDouble: false } => new ScalarSingle(source.GetGetter<float>(input.Column)),
        { IsVector: false, IsDouble: true } => new ScalarDouble(source.GetGetter<double>(input.Column)),
        { IsVector: true, IsDouble: false } => new Vector<float>(source.GetGetter<VBuffer<float>>(input.Column), input.Width, static v => v),
        _ => new Vector<double>(source.GetGetter<VBuffer<double>>(input.Column), input.Width, static v => v),
    };

    private sealed class ScalarSingle(ValueGetter<float> getter) : StepReader
    {
        private float _value;

        public override void Read(Span<double> destination)
        {
            getter(ref _value);
            destination[0] = _value;
        }
    }

    private sealed class ScalarDouble(ValueGetter<double> getter) : StepReader
    {
        private double _value;

        public override void Read(Span<double> destination)
        {
            getter(ref _value);
            destination[0] = _value;
        }
    }

    private sealed class Vector<T>(ValueGetter<VBuffer<T>> getter, int width, Func<T, double> toDouble) : StepReader
    {
        private VBuffer<T> _buffer;

        public override void Read(Span<double> destination)
        {
            getter(ref _buffer);
            if (_buffer.Length != width)
            {
                throw new InvalidOperationException(
                    $"An input vector has {_buffer.Length} values but its column type promised {width}.");
            }

            var values = _buffer.GetValues();
            if (_buffer.IsDense)
            {
                for (int i = 0; i < width; i++)
                {
                    destination[i] = toDouble(values[i]);
                }
            }
            else
            {
                destination[..width].Clear();
                var indices = _buffer.GetIndices();
                for (int i = 0; i < indices.Length; i++)
                {
                    destination[indices[i]] = toDouble(values[i]);
                }
            }
        }
    }
}
