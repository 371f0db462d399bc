using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>Grow-only scratch arrays: a workspace allocates when a larger shape first arrives, never per step.</summary>
internal static class Buffers
{
    /// <summary>Returns the first <paramref name="length"/> elements of <paramref name="buffer"/>, enlarging it first if needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Span<T> Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
        return buffer.AsSpan(0, length);
    }

    /// <summary>
    /// Makes <paramref name="buffer"/> hold at least <paramref name="length"/> elements, keeping its contents and at least
    /// doubling when it grows: for buffers that are appended to, or reused by rows of varying size.
    /// </summary>
    public static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
    }
}
