namespace Microsoft.ML.Rnn.Core;

/// <summary>Inverted dropout between layers, as PyTorch: kept values are scaled by 1/(1 − p) during training.</summary>
internal static class DropoutMask
{
    /// <summary>Fills <paramref name="mask"/> with 0 or 1/(1 − p) and writes input × mask to <paramref name="output"/>.</summary>
    public static void Apply(ReadOnlySpan<float> input, float probability, Random random, Span<float> mask, Span<float> output)
    {
        float keep = 1f / (1f - probability);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = random.NextDouble() < probability ? 0f : keep;
        System.Numerics.Tensors.TensorPrimitives.Multiply(input, mask, output);
    }
}
