namespace Microsoft.ML.Rnn;

/// <summary>How <see cref="RnnTrainer.Options.LearningRate"/> changes from epoch to epoch (applied between epochs, as a
/// PyTorch scheduler stepped once per epoch). The optimizer's state (momentum, Adam's moments and bias correction) carries on.</summary>
public enum RnnLearningRateSchedule
{
    /// <summary>Every epoch uses <see cref="RnnTrainer.Options.LearningRate"/>.</summary>
    Constant,

    /// <summary>
    /// Epoch e (from 1) uses <c>LearningRate × LearningRateDecay^⌊(e − 1) / LearningRateStepEpochs⌋</c>, never below
    /// <see cref="RnnTrainer.Options.MinimumLearningRate"/> (PyTorch's <c>StepLR</c> with <c>gamma</c> = the decay).
    /// </summary>
    StepDecay,

    /// <summary>
    /// Epoch e (from 1) uses <c>min + (LearningRate − min) × (1 + cos(π (e − 1) / MaxEpochs)) / 2</c> with min =
    /// <see cref="RnnTrainer.Options.MinimumLearningRate"/>: half a cosine from the learning rate down to the minimum over
    /// <see cref="RnnTrainer.Options.MaxEpochs"/> (PyTorch's <c>CosineAnnealingLR</c> with <c>T_max</c> = MaxEpochs).
    /// </summary>
    Cosine,

    /// <summary>
    /// Multiplies the learning rate by <see cref="RnnTrainer.Options.LearningRateDecay"/>, never below
    /// <see cref="RnnTrainer.Options.MinimumLearningRate"/>, after every <see cref="RnnTrainer.Options.LearningRatePatience"/>
    /// epochs in a row without a lower monitored loss (the validation loss, or the training loss without a validation
    /// set, as early stopping watches). PyTorch's <c>ReduceLROnPlateau</c> with <c>threshold</c> 0 and <c>patience</c> one less.
    /// </summary>
    ReduceOnPlateau,
}
