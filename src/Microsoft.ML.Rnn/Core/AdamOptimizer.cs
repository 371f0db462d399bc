namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Adam as <c>torch.optim.Adam</c> (weight decay added to the gradient), or AdamW as <c>torch.optim.AdamW</c>
/// (decoupled: parameters shrink by <c>lr·wd</c> before the Adam step), with the same bias corrections.
/// </summary>
internal sealed class AdamOptimizer(float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, int parameterCount)
    : Optimizer
{
    private readonly float[] _firstMoment = new float[parameterCount];
    private readonly float[] _secondMoment = new float[parameterCount];
    private int _step;

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        _step++;
        double biasCorrection1 = 1 - Math.Pow(beta1, _step);
        float stepSize = (float)(learningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(beta2, _step));
        float shrink = decoupled ? 1f - learningRate * weightDecay : 1f;
        float coupledDecay = decoupled ? 0f : weightDecay;
        for (int i = 0; i < parameters.Length; i++)
        {
            float p = parameters[i] * shrink;
            float g = gradients[i] + coupledDecay * p;
            float m = _firstMoment[i] = beta1 * _firstMoment[i] + (1f - beta1) * g;
            float v = _secondMoment[i] = beta2 * _secondMoment[i] + (1f - beta2) * g * g;
            parameters[i] = p - stepSize * m / (MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon);
        }
    }
}
