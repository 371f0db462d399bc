using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// A ring of one pass-through column's values for the source rows a window cursor holds, so a value can be handed out for a row
/// the cursor has already moved past (the last window row) or read ahead to (the label row). Values are deep-copied in and out:
/// vectors reuse the ring's buffers; text is copied to a new string per row, as source text memory may be reused.
/// </summary>
internal abstract class PassThroughRing
{
    /// <summary>Copies the current source row's value into <paramref name="slot"/>.</summary>
    public abstract void Read(int slot);

    /// <summary>A getter of the value in the slot <paramref name="slotOf"/> returns, or the type's default when it returns -1.</summary>
    public abstract Delegate MakeGetter(Func<int> slotOf);

    /// <summary>Makes room for <paramref name="capacity"/> slots, keeping the values in the slots there are.</summary>
    public abstract void Grow(int capacity);

    /// <summary>An empty ring over <paramref name="column"/>; the cursor grows it with its own ring.</summary>
    public static PassThroughRing Create(DataViewRowCursor source, DataViewSchema.Column column)
    {
        Type ringType = column.Type is VectorDataViewType vector
            ? typeof(VectorRing<>).MakeGenericType(vector.ItemType.RawType)
            : typeof(ScalarRing<>).MakeGenericType(column.Type.RawType);
        return (PassThroughRing)Activator.CreateInstance(ringType, source, column)!;
    }

    private sealed class ScalarRing<T> : PassThroughRing
    {
        private readonly ValueGetter<T> _getter;
        private T[] _values = [];

        public ScalarRing(DataViewRowCursor source, DataViewSchema.Column column)
        {
            _getter = source.GetGetter<T>(column);
        }

        public override void Grow(int capacity) => Array.Resize(ref _values, capacity);

        public override void Read(int slot)
        {
            _getter(ref _values[slot]);
            if (typeof(T) == typeof(ReadOnlyMemory<char>))
            {
                ref var text = ref System.Runtime.CompilerServices.Unsafe.As<T, ReadOnlyMemory<char>>(ref _values[slot]);
                text = text.ToString().AsMemory();
            }
        }

        public override Delegate MakeGetter(Func<int> slotOf) => (ValueGetter<T>)((ref T value) =>
        {
            int slot = slotOf();
            value = slot < 0 ? default! : _values[slot];
        });
    }

    private sealed class VectorRing<T> : PassThroughRing
    {
        private readonly ValueGetter<VBuffer<T>> _getter;
        private readonly int _size;
        private VBuffer<T>[] _values = [];
        private VBuffer<T> _scratch;

        public VectorRing(DataViewRowCursor source, DataViewSchema.Column column)
        {
            _getter = source.GetGetter<VBuffer<T>>(column);
            _size = ((VectorDataViewType)column.Type).Size;
        }

        public override void Grow(int capacity) => Array.Resize(ref _values, capacity);

        public override void Read(int slot)
        {
            _getter(ref _scratch);
            _scratch.CopyTo(ref _values[slot]);
        }

        public override Delegate MakeGetter(Func<int> slotOf) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            int slot = slotOf();
            if (slot < 0)
            {
                // A row past the end of the series: an all-default vector of the column's size (empty for variable size).
                value = VBufferEditor.Create(ref value, _size, 0).Commit();
                return;
            }

            _values[slot].CopyTo(ref value);
        });
    }
}
