using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The epoch loop: shuffles from the seed, runs consecutive batches (one optimizer step each), scores the
/// validation set, sets each epoch's learning rate from the schedule, reports progress to the MLContext log, the progress channel and <c>OnEpochEnd</c>, checks for
/// cancellation before every batch and (through <see cref="HostCancellation"/>) within one, and stops early when asked, restoring the best epoch's parameters.
/// </summary>
internal static class RnnTrainingLoop
{
    /// <summary>Trains <paramref name="network"/> in place and returns one report per epoch run. With label statistics
    /// (<c>labels</c>) the network learns the standardised targets and the losses are reported in the label's units
    /// where one factor converts them (<see cref="RnnLabelStandardization.LossToLabelUnits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<RnnEpochReport> Run(IHost host, IChannel channel, RnnNetwork network, RnnTrainer.Options options, RnnTrainingOptions training,
        int seed, RnnSequenceSet train, RnnSequenceSet? validation, RnnLabelStandardization? labels)
    {
        // Grows with the epochs run: MaxEpochs may be int.MaxValue, meaning "until early stopping or cancellation".
        var history = new List<RnnEpochReport>();
        if (options.MaxEpochs == 0)
            return history;

        var session = new RnnTrainingSession(network, training);
        var schedule = new RnnLearningRateScheduler(options);
        using var cancellation = new HostCancellation(host);
        var trainBatches = new RnnBatchBuilder(train, options.BatchSize, labels);
        RnnBatchBuilder? validationBatches = validation is { Count: > 0 } ? new RnnBatchBuilder(validation, options.BatchSize, labels) : null;
        // A point loss (mean squared error) converts by a factor, a likelihood by a shift (RnnLabelStandardization).
        bool likelihood = options.Distribution != RnnDistribution.None;
        double lossScale = likelihood ? 1 : labels?.LossToLabelUnits ?? 1;
        double lossShift = likelihood ? labels?.NegativeLogLikelihoodShift ?? 0 : 0;
        var order = new int[train.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        var shuffler = new Random(RnnSeeds.Derive(seed, RnnSeeds.Shuffle));

        float bestLoss = float.PositiveInfinity;
        int bestEpoch = 0;
        IReadOnlyDictionary<string, float[]>? bestParameters = null;
        bool early = options.EarlyStoppingPatience > 0;

        using IProgressChannel progress = host.StartProgressChannel("RNN training");
        int epoch = 0;
        float lastTrain = float.NaN, lastValidation = float.NaN;
        progress.SetHeader(new ProgressHeader(["train loss", "validation loss"], ["epochs"]), e =>
        {
            e.SetProgress(0, epoch, options.MaxEpochs);
            e.SetMetric(0, lastTrain);
            e.SetMetric(1, lastValidation);
        });

        for (epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            session.LearningRate = schedule.LearningRate;
            if (options.Shuffle)
                shuffler.Shuffle(order);
            if (options.Stateful)
                session.ResetState();

            double lossSum = 0;
            int batchIndex = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize, batchIndex++)
            {
                host.CheckAlive();
                ReadOnlySpan<int> rows = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start));
                int steps = trainBatches.Build(rows, out var inputs, out var lengths, out var targets);
                float loss;
                try
                {
                    loss = session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets, rowWeights: trainBatches.Weights, cancellationToken: cancellation.Token);
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidOperationException(
                        $"RNN training diverged in epoch {epoch}, batch {batchIndex + 1}: {e.Message} Try a lower LearningRate or set GradientClipNorm.", e);
                }

                lossSum += (double)loss * BatchWeight(train, rows);
            }

            lastTrain = (float)(lossSum / train.TotalWeight * lossScale + lossShift);
            float? validationLoss = null;
            if (validation is not null && validationBatches is not null)
            {
                validationLoss = Evaluate(host, session, validation, validationBatches, options.BatchSize, options.Stateful, lossScale, lossShift, cancellation.Token);
                lastValidation = validationLoss.Value;
            }

            var report = new RnnEpochReport(epoch, lastTrain, validationLoss, clock.Elapsed.TotalSeconds) { LearningRate = session.LearningRate };
            history.Add(report);
            channel.Info(
                "RNN epoch {0}/{1}: train loss {2:G6}{3}, {4:F3} s",
                epoch, options.MaxEpochs, lastTrain, validationLoss is float v ? $", validation loss {v:G6}" : "", report.Seconds);
            progress.Checkpoint(lastTrain, validationLoss, epoch);
            options.OnEpochEnd?.Invoke(report);

            float monitored = validationLoss ?? lastTrain;
            schedule.EpochEnded(epoch, monitored);
            if (early)
            {
                if (monitored < bestLoss)
                {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    bestParameters = network.ExportParameters();
                }
                else if (epoch - bestEpoch >= options.EarlyStoppingPatience)
                {
                    channel.Info("RNN early stopping after epoch {0}: no lower {1} loss for {2} epochs; keeping epoch {3}'s parameters.",
                        epoch, validation is null ? "training" : "validation", options.EarlyStoppingPatience, bestEpoch);
                    break;
                }
            }
        }

        if (bestParameters is not null)
            network.ImportParameters(bestParameters);
        return history;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Evaluate(IHost host, RnnTrainingSession session, RnnSequenceSet set, RnnBatchBuilder batches, int batchSize, bool stateful,
        double lossScale, double lossShift, CancellationToken cancellation)
    {
        if (stateful)
            session.ResetState();
        Span<int> rows = new int[Math.Min(batchSize, set.Count)];
        double sum = 0;
        for (int start = 0; start < set.Count; start += batchSize)
        {
            host.CheckAlive();
            int count = Math.Min(batchSize, set.Count - start);
            for (int i = 0; i < count; i++)
                rows[i] = start + i;
            int steps = batches.Build(rows[..count], out var inputs, out var lengths, out var targets);
            sum += (double)session.Evaluate(new SequenceBatch(inputs, lengths, steps), targets, batches.Weights, cancellation) * BatchWeight(set, rows[..count]);
        }

        if (stateful)
            session.ResetState();
        return (float)(sum / set.TotalWeight * lossScale + lossShift);
    }

    /// <summary>How much a batch's mean loss counts in the epoch's mean: its rows' total example weight (its row count without weights).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BatchWeight(RnnSequenceSet set, ReadOnlySpan<int> rows)
    {
        if (!set.IsWeighted)
            return rows.Length;
        double total = 0;
        foreach (int row in rows)
            total += set.Weight(row);
        return total;
    }
}
