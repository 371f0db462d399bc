namespace Microsoft.ML.Rnn.Core;

/// <summary>Updates a flat parameter vector from its gradient, keeping whatever state the method needs.</summary>
internal abstract class Optimizer
{
    public static Optimizer Create(RnnTrainingOptions options, int parameterCount) => options.Optimizer switch
    {
        RnnOptimizerKind.Sgd => new SgdOptimizer(options.LearningRate, options.Momentum, options.WeightDecay, parameterCount),
        RnnOptimizerKind.AdamW => new AdamOptimizer(options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay, decoupled: true, parameterCount),
        _ => new AdamOptimizer(options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay, decoupled: false, parameterCount),
    };

    /// <summary>The step size of the next <see cref="Step"/>; a schedule may change it between steps.</summary>
    public abstract float LearningRate { get; set; }

    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);
}
