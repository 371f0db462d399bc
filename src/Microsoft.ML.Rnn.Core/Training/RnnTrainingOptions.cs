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
    public void Validate() => Validate(OptionCheck.Core);

    /// <summary>Checks every option, reporting the first one out of range through <paramref name="fail"/>.</summary>
    internal void Validate(OptionFailure fail)
    {
        OptionCheck.Defined(Loss, nameof(Loss), fail);
        OptionCheck.Defined(Optimizer, nameof(Optimizer), fail);
        OptionCheck.PositiveFinite(LearningRate, nameof(LearningRate), "a positive finite step size", fail);
        OptionCheck.PositiveFinite(Epsilon, nameof(Epsilon), "a positive finite number", fail);
        OptionCheck.UnitInterval(Beta1, nameof(Beta1), "a number", fail);
        OptionCheck.UnitInterval(Beta2, nameof(Beta2), "a number", fail);
        OptionCheck.UnitInterval(Momentum, nameof(Momentum), "a number", fail);
        OptionCheck.NonNegativeFinite(WeightDecay, nameof(WeightDecay), "a finite number ≥ 0", fail);
        OptionCheck.NonNegativeFinite(GradientClipNorm, nameof(GradientClipNorm), "a finite number ≥ 0 (0 turns clipping off)", fail);
        OptionCheck.Range(Threads, 1, int.MaxValue, nameof(Threads), "threads", fail);
    }

    internal RnnTrainingOptions Clone() => (RnnTrainingOptions)MemberwiseClone();
}
