using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Loads and stores of <see cref="Vector{T}"/> lanes that also work on a span's last, partial block, so an
/// element-wise kernel writes its arithmetic once and runs it over any length in steps of <see cref="Width"/>.
/// </summary>
/// <remarks>
/// The full-block path is inlined into the kernels and checks its bounds once (one comparison, then an unchecked
/// load: slicing the span first cost a quarter of the LSTM cell's time); the partial block goes through a stack copy
/// in a separate method, because a method that allocates on the stack is never inlined.
/// </remarks>
internal static class Lanes
{
    public static int Width => Vector<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ReadOnlySpan<float> values, int start) =>
        (uint)start + (uint)Width <= (uint)values.Length
            ? Vector.LoadUnsafe(ref MemoryMarshal.GetReference(values), (nuint)start)
            : LoadPartial(values, start);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<float> vector, Span<float> values, int start)
    {
        if ((uint)start + (uint)Width <= (uint)values.Length)
            vector.StoreUnsafe(ref MemoryMarshal.GetReference(values), (nuint)start);
        else
            StorePartial(vector, values, start);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector<float> LoadPartial(ReadOnlySpan<float> values, int start)
    {
        Span<float> padded = stackalloc float[Width];
        padded.Clear();
        values[start..].CopyTo(padded);
        return new Vector<float>(padded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial(Vector<float> vector, Span<float> values, int start)
    {
        Span<float> padded = stackalloc float[Width];
        vector.CopyTo(padded);
        padded[..(values.Length - start)].CopyTo(values[start..]);
    }
}
