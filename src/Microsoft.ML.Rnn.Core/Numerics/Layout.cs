using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>Conversions between the caller's batch-first layout and the core's time-major one.</summary>
internal static class Layout
{
    /// <summary>[batch, steps, width] → [steps, batch, width].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchFirstToTimeMajor(ReadOnlySpan<float> source, int batch, int steps, int width, Span<float> destination)
    {
        for (int row = 0; row < batch; row++)
            for (int t = 0; t < steps; t++)
                source.Slice((row * steps + t) * width, width).CopyTo(destination.Slice((t * batch + row) * width, width));
    }

    /// <summary>[batch, steps, width] → [steps, batch, width], with zeros past each sequence's length: padding is never read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SequencesToTimeMajor(ReadOnlySpan<float> source, ReadOnlySpan<int> lengths, int steps, int width, Span<float> destination)
    {
        int batch = lengths.Length;
        for (int row = 0; row < batch; row++)
            for (int t = 0; t < steps; t++)
            {
                Span<float> target = destination.Slice((t * batch + row) * width, width);
                if (t < lengths[row])
                    source.Slice((row * steps + t) * width, width).CopyTo(target);
                else
                    target.Clear();
            }
    }

    /// <summary>[steps, batch, width] → [batch, steps, width].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TimeMajorToBatchFirst(ReadOnlySpan<float> source, int batch, int steps, int width, Span<float> destination)
    {
        for (int row = 0; row < batch; row++)
            for (int t = 0; t < steps; t++)
                source.Slice((t * batch + row) * width, width).CopyTo(destination.Slice((row * steps + t) * width, width));
    }

    /// <summary>
    /// Copies rows [<paramref name="first"/>, <paramref name="end"/>) of each of <paramref name="blocks"/> blocks of
    /// <paramref name="batch"/> rows (<c>[blocks, batch, width]</c>, as time-major steps or stacked states) into
    /// <paramref name="destination"/>, <c>[blocks, end − first, width]</c>.
    /// </summary>
    public static void CopyRows(ReadOnlySpan<float> source, int blocks, int batch, int first, int end, int width, Span<float> destination)
    {
        int rows = end - first;
        for (int block = 0; block < blocks; block++)
            source.Slice((block * batch + first) * width, rows * width).CopyTo(destination.Slice(block * rows * width, rows * width));
    }

    /// <summary>The inverse of <see cref="CopyRows"/>: puts <c>[blocks, rows, width]</c> at rows from <paramref name="first"/> of <c>[blocks, batch, width]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PlaceRows(ReadOnlySpan<float> source, int blocks, int batch, int first, int width, Span<float> destination)
    {
        int rows = source.Length / (blocks * width);
        for (int block = 0; block < blocks; block++)
            source.Slice(block * rows * width, rows * width).CopyTo(destination.Slice((block * batch + first) * width, rows * width));
    }
}
