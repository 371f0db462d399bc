using System.Numerics.Tensors;

namespace Microsoft.ML.Rnn.Core;

/// <summary>Clipping by global L2 norm, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
internal static class GradientClipping
{
    /// <summary>The L2 norm of all gradients together (infinite or NaN if any value is).</summary>
    public static float GlobalNorm(ReadOnlySpan<float> gradients) => TensorPrimitives.Norm(gradients);

    /// <summary>Scales the gradients by <c>maxNorm / (norm + 1e-6)</c> when that is below 1.</summary>
    public static void Clip(Span<float> gradients, float norm, float maxNorm)
    {
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f)
            TensorPrimitives.Multiply(gradients, coefficient, gradients);
    }
}
