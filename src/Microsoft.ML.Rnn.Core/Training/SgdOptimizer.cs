using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>SGD as <c>torch.optim.SGD</c>: weight decay added to the gradient; momentum buffer starts as the first gradient.</summary>
internal sealed class SgdOptimizer(float learningRate, float momentum, float weightDecay, int parameterCount) : Optimizer
{
    private readonly float[] _velocity = momentum > 0f ? new float[parameterCount] : [];
    private bool _started;

    public override float LearningRate { get; set; } = learningRate;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        float lr = LearningRate;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradients[i] + weightDecay * parameters[i];
            if (momentum > 0f)
                g = _velocity[i] = _started ? momentum * _velocity[i] + g : g;
            parameters[i] -= lr * g;
        }
        _started = true;
    }
}
