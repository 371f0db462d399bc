using System.Numerics;
using System.Runtime.CompilerServices;

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

    public override float LearningRate { get; set; } = learningRate;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        _step++;
        double biasCorrection1 = 1 - Math.Pow(beta1, _step);
        float stepSize = (float)(LearningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(beta2, _step));
        float shrink = decoupled ? 1f - LearningRate * weightDecay : 1f;
        float coupledDecay = decoupled ? 0f : weightDecay;
        // Vector lanes with the scalar formula's operations in the same order (no fused multiply-add): the same bits.
        Span<float> firstMoment = _firstMoment, secondMoment = _secondMoment;
        for (int i = 0; i < parameters.Length; i += Lanes.Width)
        {
            Vector<float> p = Lanes.Load(parameters, i) * shrink;
            Vector<float> g = Lanes.Load(gradients, i) + coupledDecay * p;
            Vector<float> m = beta1 * Lanes.Load(firstMoment, i) + (1f - beta1) * g;
            Vector<float> v = beta2 * Lanes.Load(secondMoment, i) + (1f - beta2) * g * g;
            Lanes.Store(m, firstMoment, i);
            Lanes.Store(v, secondMoment, i);
            Lanes.Store(p - stepSize * m / (Vector.SquareRoot(v) / biasCorrection2Sqrt + new Vector<float>(epsilon)), parameters, i);
        }
    }
}
