namespace Microsoft.ML.Rnn.Core;

/// <summary>How an <see cref="RnnTrainingSession"/> turns batches into parameter updates.</summary>
public sealed class RnnTrainingOptions
{
    /// <summary>The loss to minimise.</summary>
    public RnnLoss Loss { get; set; } = RnnLoss.MeanSquaredError;

    /// <summary>The update rule.</summary>
    public RnnOptimizerKind Optimizer { get; set; } = RnnOptimizerKind.Adam;

    /// <summary>Step size.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>SGD momentum (0 = plain SGD); ignored by Adam and AdamW.</summary>
    public float Momentum { get; set; }

    /// <summary>L2 weight decay: added to the gradient for Adam and SGD, decoupled for AdamW.</summary>
    public float WeightDecay { get; set; }

    /// <summary>Adam's first-moment decay.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Adam's second-moment decay.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Adam's denominator term.</summary>
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Largest global L2 norm of the gradient; larger gradients are scaled down. 0 turns clipping off.</summary>
    public float GradientClipNorm { get; set; }

    /// <summary>
    /// Carries each batch's final state, detached, into the next batch as its initial state (the tutorial's
    /// <c>hidden_prev = hidden_prev.detach()</c>). Row i of a batch continues row i of the previous one.
    /// </summary>
    public bool Stateful { get; set; }

    /// <summary>Seed of the dropout masks.</summary>
    public int Seed { get; set; }

    /// <summary>Threads a training step may use; the results are the same for any number.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Loss))
            throw new ArgumentException($"Loss is {(int)Loss}, which is not a defined {nameof(RnnLoss)}.", nameof(Loss));
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentException($"Optimizer is {(int)Optimizer}, which is not a defined {nameof(RnnOptimizerKind)}.", nameof(Optimizer));
        CheckPositive(LearningRate, nameof(LearningRate));
        CheckPositive(Epsilon, nameof(Epsilon));
        CheckUnitInterval(Beta1, nameof(Beta1));
        CheckUnitInterval(Beta2, nameof(Beta2));
        CheckUnitInterval(Momentum, nameof(Momentum));
        if (!(WeightDecay >= 0f) || float.IsInfinity(WeightDecay))
            throw new ArgumentException($"WeightDecay is {WeightDecay}; expected a finite number ≥ 0.", nameof(WeightDecay));
        if (!(GradientClipNorm >= 0f) || float.IsInfinity(GradientClipNorm))
            throw new ArgumentException($"GradientClipNorm is {GradientClipNorm}; expected a finite number ≥ 0 (0 turns clipping off).", nameof(GradientClipNorm));
        if (Threads < 1)
            throw new ArgumentException($"Threads is {Threads}; expected at least 1.", nameof(Threads));
    }

    internal RnnTrainingOptions Clone() => (RnnTrainingOptions)MemberwiseClone();

    private static void CheckPositive(float value, string name)
    {
        if (!(value > 0f) || float.IsInfinity(value))
            throw new ArgumentException($"{name} is {value}; expected a positive finite number.", name);
    }

    private static void CheckUnitInterval(float value, string name)
    {
        if (!(value >= 0f && value < 1f))
            throw new ArgumentException($"{name} is {value}; expected a number in [0, 1).", name);
    }
}
