namespace Microsoft.ML.Rnn.Core;

/// <summary>Inverted dropout between layers, as PyTorch: kept values are scaled by 1/(1 − p) during training.</summary>
internal static class DropoutMask
{
    /// <summary>Fills <paramref name="mask"/> with 0 (probability p) or 1/(1 − p); the layer's output is multiplied by it.</summary>
    public static void Draw(float probability, Random random, Span<float> mask)
    {
        float keep = 1f / (1f - probability);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = random.NextDouble() < probability ? 0f : keep;
    }
}
