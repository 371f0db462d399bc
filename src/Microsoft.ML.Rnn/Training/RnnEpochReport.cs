namespace Microsoft.ML.Rnn;

/// <summary>What one training epoch achieved: passed to <see cref="RnnTrainer.Options.OnEpochEnd"/> and kept in
/// <see cref="RnnTransformer.TrainingHistory"/>.</summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="TrainLoss">Mean training loss over the epoch: each batch's loss before its optimizer step, weighted by the batch's row count.
/// For regression it is a mean squared error in the label's units, also when <see cref="RnnTrainer.Options.StandardizeLabel"/> trains on
/// the standardised label (its loss times σ²), except with several outputs per step standardised: then it is the loss on the
/// standardised label, the mean over outputs of each output's squared error divided by its variance. With a
/// <see cref="RnnTrainer.Options.Distribution"/> it is the mean negative log-likelihood in nats, of the label in its own units.</param>
/// <param name="ValidationLoss">Mean loss on <see cref="RnnTrainer.Options.ValidationSet"/> after the epoch, in the same units as
/// <paramref name="TrainLoss"/>, or <see langword="null"/> without a validation set.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took, validation included.</param>
public sealed record RnnEpochReport(int Epoch, float TrainLoss, float? ValidationLoss, double Seconds)
{
    /// <summary>The learning rate the epoch's optimizer steps used (see <see cref="RnnTrainer.Options.LearningRateSchedule"/>);
    /// saved in the model file. 0 when not set (an init-only property, so code that creates reports compiles unchanged).</summary>
    public float LearningRate { get; init; }
}
