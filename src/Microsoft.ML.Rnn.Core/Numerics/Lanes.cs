using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

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

    // Not inlined, but optimised from its first call: at the tutorial's hidden size 5 every access is partial.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe Vector<float> LoadPartial(ReadOnlySpan<float> values, int start)
    {
        int count = values.Length - start;
        if (HasMaskedAccess && count > 0)
        {
            fixed (float* first = values[start..])
                return Avx.MaskLoad(first, TailMask(count)).AsVector();
        }

        Span<float> padded = stackalloc float[Width];
        padded.Clear();
        values[start..].CopyTo(padded);
        return new Vector<float>(padded);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StorePartial(Vector<float> vector, Span<float> values, int start)
    {
        int count = values.Length - start;
        if (HasMaskedAccess && count > 0)
        {
            fixed (float* first = values[start..])
                Avx.MaskStore(first, TailMask(count), vector.AsVector256());
            return;
        }

        Span<float> padded = stackalloc float[Width];
        vector.CopyTo(padded);
        padded[..count].CopyTo(values[start..]);
    }

    /// <summary>AVX masked loads and stores touch only the lanes that exist (cheaper than a stack copy: the tutorial's hidden size 5 is all tail).</summary>
    private static bool HasMaskedAccess => Avx.IsSupported && Vector<float>.Count == Vector256<float>.Count;

    /// <summary>All bits set in the first <paramref name="count"/> lanes.</summary>
    private static Vector256<float> TailMask(int count) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();
}
