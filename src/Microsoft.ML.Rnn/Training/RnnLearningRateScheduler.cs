namespace Microsoft.ML.Rnn;

/// <summary>
/// Runs <see cref="RnnTrainer.Options.LearningRateSchedule"/>: the learning rate of each epoch, from the epoch's number
/// or (for <see cref="RnnLearningRateSchedule.ReduceOnPlateau"/>) the monitored losses of the epochs before it.
/// </summary>
internal sealed class RnnLearningRateScheduler
{
    private readonly RnnTrainer.Options _options;
    private float _bestLoss = float.PositiveInfinity;
    private int _epochsWithoutImprovement;

    /// <summary>Starts at <see cref="RnnTrainer.Options.LearningRate"/>.</summary>
    public RnnLearningRateScheduler(RnnTrainer.Options options)
    {
        _options = options;
        LearningRate = options.LearningRate;
    }

    /// <summary>The learning rate of the next epoch.</summary>
    public float LearningRate { get; private set; }

    /// <summary>Checks the schedule's options; <paramref name="fail"/> builds the exception that names the option.</summary>
    public static void Validate(RnnTrainer.Options options, Func<string, string, string, Exception> fail)
    {
        if (!Enum.IsDefined(options.LearningRateSchedule))
        {
            throw fail(nameof(options.LearningRateSchedule), $"is {options.LearningRateSchedule}",
                "one of " + string.Join(", ", Enum.GetNames<RnnLearningRateSchedule>()));
        }

        if (!(options.LearningRateDecay > 0 && options.LearningRateDecay < 1))
            throw fail(nameof(options.LearningRateDecay), $"is {options.LearningRateDecay}", "a factor in (0, 1)");
        if (options.LearningRateStepEpochs < 1)
            throw fail(nameof(options.LearningRateStepEpochs), $"is {options.LearningRateStepEpochs}", "at least 1 epoch");
        if (options.LearningRatePatience < 1)
            throw fail(nameof(options.LearningRatePatience), $"is {options.LearningRatePatience}", "at least 1 epoch");
        if (!(options.MinimumLearningRate >= 0 && options.MinimumLearningRate <= options.LearningRate))
        {
            throw fail(nameof(options.MinimumLearningRate), $"is {options.MinimumLearningRate} with LearningRate {options.LearningRate}",
                "a value from 0 to LearningRate");
        }
    }

    /// <summary>Epoch <paramref name="epoch"/> (from 1) ended with <paramref name="monitoredLoss"/>; sets the next epoch's rate.</summary>
    public void EpochEnded(int epoch, float monitoredLoss)
    {
        float initial = _options.LearningRate, minimum = _options.MinimumLearningRate;
        switch (_options.LearningRateSchedule)
        {
            case RnnLearningRateSchedule.StepDecay:
                LearningRate = Math.Max(minimum, (float)(initial * Math.Pow(_options.LearningRateDecay, epoch / _options.LearningRateStepEpochs)));
                break;
            case RnnLearningRateSchedule.Cosine:
                LearningRate = (float)(minimum + (initial - minimum) * (1 + Math.Cos(Math.PI * epoch / _options.MaxEpochs)) / 2);
                break;
            case RnnLearningRateSchedule.ReduceOnPlateau:
                if (monitoredLoss < _bestLoss)
                {
                    _bestLoss = monitoredLoss;
                    _epochsWithoutImprovement = 0;
                }
                else if (++_epochsWithoutImprovement >= _options.LearningRatePatience)
                {
                    LearningRate = Math.Max(minimum, LearningRate * _options.LearningRateDecay);
                    _epochsWithoutImprovement = 0;
                }

                break;
        }
    }
}
