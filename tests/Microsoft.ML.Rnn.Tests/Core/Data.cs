namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>Seeded test data.</summary>
internal static class Data
{
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Zeroes every value past each sequence's length in a [batch, steps, width] buffer.</summary>
    public static void ClearPadding(float[] values, int[] lengths, int steps, int width)
    {
        for (int b = 0; b < lengths.Length; b++)
            values.AsSpan((b * steps + lengths[b]) * width, (steps - lengths[b]) * width).Clear();
    }
}
