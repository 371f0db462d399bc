namespace Microsoft.ML.Rnn;

/// <summary>
/// The per-window normalisation of <see cref="SequenceWindowNormalization"/> and its inverse, for mapping predictions made on
/// normalised windows back to the original scale.
/// </summary>
/// <remarks>
/// Arithmetic is done in <see cref="double"/> and rounded to <see cref="float"/> once, as the window cursor does.
/// </remarks>
public static class SequenceWindowNormalizer
{
    /// <summary>Normalises one value against its reference: <c>value / reference - 1</c>.</summary>
    /// <param name="value">The value in the original scale.</param>
    /// <param name="reference">The reference value (the window's first or last value of the same column).</param>
    /// <returns>The relative change from <paramref name="reference"/>.</returns>
    public static float Normalize(float value, float reference) => (float)((double)value / reference - 1.0);

    /// <summary>Maps a normalised value back to the original scale: <c>reference * (1 + normalized)</c>.</summary>
    /// <param name="normalized">A normalised value, for example a model's <c>Score</c>.</param>
    /// <param name="reference">The window's reference value, as written to <see cref="SequenceWindowOptions.ReferenceColumnName"/>.</param>
    /// <returns>The value in the original scale.</returns>
    public static float Denormalize(float normalized, float reference) => (float)(reference * (1.0 + normalized));

    /// <summary>
    /// Maps a normalised value back to the original scale for the given normalisation kind; with
    /// <see cref="SequenceWindowNormalization.None"/> the value is returned unchanged and <paramref name="reference"/> is ignored.
    /// </summary>
    /// <param name="normalized">A normalised value, for example a model's <c>Score</c>.</param>
    /// <param name="reference">The window's reference value (ignored for <see cref="SequenceWindowNormalization.None"/>).</param>
    /// <param name="normalization">The normalisation the windows were made with.</param>
    /// <returns>The value in the original scale.</returns>
    public static float Denormalize(float normalized, float reference, SequenceWindowNormalization normalization) =>
        normalization == SequenceWindowNormalization.None ? normalized : Denormalize(normalized, reference);

    /// <summary>
    /// Maps several normalised values that share one reference (a multi-step forecast) back to the original scale.
    /// </summary>
    /// <param name="normalized">The normalised values.</param>
    /// <param name="reference">The window's reference value.</param>
    /// <param name="destination">Receives the values in the original scale; at least as long as <paramref name="normalized"/>.
    /// May be the same memory as <paramref name="normalized"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="normalized"/>.</exception>
    public static void Denormalize(ReadOnlySpan<float> normalized, float reference, Span<float> destination)
    {
        if (destination.Length < normalized.Length)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} values but {normalized.Length} are to be written.", nameof(destination));
        }

        for (int i = 0; i < normalized.Length; i++)
        {
            destination[i] = Denormalize(normalized[i], reference);
        }
    }
}
