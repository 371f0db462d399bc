namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// What a decoder feeds back from step t − 1 into step t's input (<see cref="RnnOutputFeedback"/>): the targets of
/// that step while training (teacher forcing), or its own outputs when scoring, in the same form.
/// </summary>
internal static class OutputFeedback
{
    /// <summary>Targets per row and step as the loss takes them: one class index, or one value per output.</summary>
    public static int TargetsPerStep(RnnOutputFeedback feedback, int outputSize) => feedback == RnnOutputFeedback.Class ? 1 : outputSize;

    /// <summary>Writes the fed-back form of one step's <paramref name="targets"/> into <paramref name="destination"/> (<c>OutputSize</c> values).</summary>
    public static void FromTargets(RnnOutputFeedback feedback, ReadOnlySpan<float> targets, Span<float> destination)
    {
        if (feedback != RnnOutputFeedback.Class)
        {
            targets.CopyTo(destination);
            return;
        }

        float value = targets[0];
        if (!(value >= 0 && value < destination.Length) || value != MathF.Floor(value))
            throw new ArgumentException($"A target is {value}; expected a class index 0 to {destination.Length - 1}.", nameof(targets));
        destination.Clear();
        destination[(int)value] = 1f;
    }

    /// <summary>Writes the fed-back form of one step's <paramref name="outputs"/> into <paramref name="destination"/>.</summary>
    public static void FromOutputs(RnnOutputFeedback feedback, ReadOnlySpan<float> outputs, Span<float> destination)
    {
        switch (feedback)
        {
            case RnnOutputFeedback.Value:
                outputs.CopyTo(destination);
                break;
            case RnnOutputFeedback.Decision:
                for (int i = 0; i < outputs.Length; i++)
                    destination[i] = outputs[i] > 0f ? 1f : 0f;
                break;
            default:
                int best = 0;
                for (int i = 1; i < outputs.Length; i++)
                    if (outputs[i] > outputs[best])
                        best = i; // the first maximum on ties, as torch.argmax
                destination.Clear();
                destination[best] = 1f;
                break;
        }
    }
}
