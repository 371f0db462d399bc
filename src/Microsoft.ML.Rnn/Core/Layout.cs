namespace Microsoft.ML.Rnn.Core;

/// <summary>Conversions between the caller's batch-first layout and the core's time-major one.</summary>
internal static class Layout
{
    /// <summary>[batch, steps, width] → [steps, batch, width].</summary>
    public static void BatchFirstToTimeMajor(ReadOnlySpan<float> source, int batch, int steps, int width, Span<float> destination)
    {
        for (int row = 0; row < batch; row++)
            for (int t = 0; t < steps; t++)
                source.Slice((row * steps + t) * width, width).CopyTo(destination.Slice((t * batch + row) * width, width));
    }

    /// <summary>[batch, steps, width] → [steps, batch, width], with zeros past each sequence's length: padding is never read.</summary>
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
    public static void TimeMajorToBatchFirst(ReadOnlySpan<float> source, int batch, int steps, int width, Span<float> destination)
    {
        for (int row = 0; row < batch; row++)
            for (int t = 0; t < steps; t++)
                source.Slice((t * batch + row) * width, width).CopyTo(destination.Slice((row * steps + t) * width, width));
    }
}
