using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Trains a recurrent network (Elman RNN, LSTM or GRU) on sequence columns and returns an <see cref="RnnTransformer"/>
/// that scores them. Create it with <c>mlContext.Regression.Trainers.Rnn(...)</c>,
/// <c>mlContext.BinaryClassification.Trainers.Rnn(...)</c> or <c>mlContext.MulticlassClassification.Trainers.Rnn(...)</c>.
/// </summary>
/// <remarks>
/// Training reads the rows once into memory, then runs exactly <see cref="Options.MaxEpochs"/> epochs (unless early
/// stopping ends it) of consecutive batches of <see cref="Options.BatchSize"/> rows, shuffled per epoch from the seed,
/// one optimizer step per batch. Rows with NaN or infinite values, zero steps or a missing key label are skipped and
/// counted in the log. Progress goes to <c>MLContext.Log</c> and <see cref="Options.OnEpochEnd"/>;
/// <c>MLContext.CancelExecution()</c> stops training within a time step of the running batch.
/// </remarks>
public sealed partial class RnnTrainer : IEstimator<RnnTransformer>
{
    private readonly IHost _host;
    private readonly Options _options;
    private readonly int? _contextSeed;

    internal RnnTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(RnnTrainer));
        _options = options.Clone();
        // Copied deeply, arrays too: the caller may reuse them, and an edit after this point must not change training.
        // A null array stays null, for Fit to report.
        _options.InitialParameters = options.InitialParameters?.ToDictionary(p => p.Key, p => p.Value?.ToArray()!);
        _contextSeed = (env as IHostEnvironmentInternal)?.Seed;
    }

    /// <summary>The schema the trained transformer will produce: the input columns plus <c>Score</c> (and
    /// <c>Probability</c>, <c>PredictedLabel</c> for classification).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid, or a column is missing or of the wrong type
    /// (the message names it, what was found and what was expected).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        RnnSchemaBinding binding = RnnSchemaBinding.ForTraining(_options,
            name => inputSchema.TryFindColumn(name, out var column) ? RnnColumnInfo.From(column) : null);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (SchemaShape.Column output in RnnOutputColumns.GetShapes(_options.Task, RnnHeads.Structure(_options.Head, _options.OutputLength),
            binding.LabelKind == RnnLabelKind.Single, binding.FixedLength, binding.KeyValuesItemType, _options.Distribution))
        {
            columns[output.Name] = output;
        }

        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid, or a column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A row's structure does not fit (length not a multiple of the
    /// input size, series of different lengths, more steps than <see cref="RnnNetworkShape.MaxDimension"/>, an N vs N
    /// label that does not match the steps, a key label beyond its key type's count), no usable row is left, or
    /// training diverged.</exception>
    /// <exception cref="OperationCanceledException">The MLContext's execution was cancelled.</exception>
    /// <exception cref="InsufficientMemoryException">Training would obviously not fit in the machine's memory (the message says what it needs).</exception>
    public RnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options options = _options;
        RnnSchemaBinding binding = Bind(input.Schema, "training data");
        // The validation rows go through the same network, so they are read with the input size the training data decided.
        RnnSchemaBinding? validationBinding = options.ValidationSet is null ? null : Bind(options.ValidationSet.Schema, "ValidationSet", binding.InputSize);

        using IChannel channel = _host.Start("Training RNN");
        RnnSequenceSet train = RnnSequenceReader.Read(_host, input, binding, options.Task, options.LabelColumnName, binding.OutputSize, "training",
            options.ExampleWeightColumnName);
        Report(channel, train, "training");
        if (train.Count == 0)
        {
            throw new InvalidOperationException(
                $"No usable training rows: {train.Skipped.Describe("training")} Expected at least one row with at least one step and finite " +
                $"values in '{string.Join("', '", binding.FeatureColumns)}' and '{options.LabelColumnName}'.");
        }

        if (train.IsWeighted && train.TotalWeight == 0)
        {
            throw new InvalidOperationException(
                $"Every training row has an example weight of 0 in '{options.ExampleWeightColumnName}'; expected at least one row with a positive weight.");
        }

        RnnFeatureScale.WarnIfFarFromUnit(channel, train, binding.FeatureColumns, binding.IsSeries);
        int outputSize = options.Task switch
        {
            RnnTask.BinaryClassification => 1,
            RnnTask.MulticlassClassification => binding.OutputSize,
            _ when binding.OutputSize > 0 => binding.OutputSize,
            _ => train.TargetsPerStep,
        };

        RnnSequenceSet? validation = null;
        if (options.ValidationSet is not null && validationBinding is not null)
        {
            if (options.Task == RnnTask.MulticlassClassification && validationBinding.OutputSize != outputSize)
            {
                throw RnnSchemaBinding.Column("Label", options.LabelColumnName,
                    $"{validationBinding.OutputSize} classes in the ValidationSet", $"the training data's {outputSize} classes");
            }

            validation = RnnSequenceReader.Read(_host, options.ValidationSet, validationBinding, options.Task, options.LabelColumnName, outputSize, "validation",
                options.ExampleWeightColumnName);
            Report(channel, validation, "validation");
            if (validation.Count > 0 && validation.TotalWeight == 0)
            {
                throw new InvalidOperationException(
                    $"Every ValidationSet row has an example weight of 0 in '{options.ExampleWeightColumnName}'; expected at least one row with a positive weight.");
            }
        }

        int seed = options.Seed ?? _contextSeed ?? _host.Rand.Next();
        RnnNetworkShape shape = options.NetworkShape(binding.InputSize, outputSize);
        try
        {
            shape.Validate();
        }
        catch (ArgumentException e)
        {
            // The options were checked; what is new here is the output size, which the label decides.
            throw RnnSchemaBinding.Column("Label", options.LabelColumnName, $"{outputSize} outputs per step",
                $"an output size the network can take ({e.Message})");
        }

        // Before the network is allocated: refuse a training that obviously cannot fit in memory, saying what it needs.
        MemoryEstimate.ThrowIfTrainingDoesNotFit(shape, options.TrainingOptions(seed), Math.Min(options.BatchSize, train.Count), train.MaxSteps, MemoryEstimate.AvailableBytes);
        var network = new RnnNetwork(shape, seed);
        if (options.InitialParameters is not null)
        {
            try
            {
                network.ImportParameters(options.InitialParameters);
            }
            catch (ArgumentException e)
            {
                throw RnnSchemaBinding.Option(nameof(Options.InitialParameters), $"does not fit the network ({e.Message})",
                    "every parameter of Network.ParameterShapes by its PyTorch state_dict name, with its PyTorch size: " +
                    string.Join(", ", network.ParameterShapes.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]")));
            }
        }

        RnnTrainingOptions training = options.TrainingOptions(RnnSeeds.Derive(seed, RnnSeeds.Dropout));
        RnnLabelStandardization? labels = options.StandardizesLabel ? RnnLabelStandardization.Fit(train) : null;
        ReportLabelStandardization(channel, options, labels);

        channel.Info("RNN: {0} {1} ({2} layer(s) of {3}{4}), {5} inputs and {6} outputs per step, {7} training rows, up to {8} epochs, seed {9}.",
            options.Cell, options.Head, options.NumberOfLayers, options.HiddenSize, options.Bidirectional ? ", bidirectional" : "",
            binding.InputSize, outputSize, train.Count, options.MaxEpochs, seed);
        if (options.Stateful && options.Shuffle)
            channel.Warning("Stateful training carries row i of each batch into row i of the next; with Shuffle on those rows are unrelated. Set Shuffle = false for consecutive chunks of long series.");
        List<RnnEpochReport> history = RnnTrainingLoop.Run(_host, channel, network, options, training, seed, train, validation, labels);

        float? calibration = null;
        if (options.Distribution != RnnDistribution.None)
            calibration = CalibrateIntervals(channel, options, network, validation, labels);

        RnnKeyValues? keyValues = null;
        if (options.Task == RnnTask.MulticlassClassification)
        {
            keyValues = RnnKeyValues.TryRead(input.Schema[options.LabelColumnName], outputSize);
            if (keyValues is null && binding.KeyValuesItemType is not null)
                channel.Warning("The label's key values are of type {0}, which the model does not keep; PredictedLabel will have no key values.", binding.KeyValuesItemType);
        }

        Options kept = options.Clone();
        kept.ValidationSet = null;
        kept.InitialParameters = null;
        kept.OnEpochEnd = null;
        kept.Seed = seed;
        kept.InputSize = binding.InputSize;
        kept.StandardizeLabel = labels is not null;
        var model = new RnnModelData
        {
            Options = kept,
            FeatureColumns = binding.FeatureColumns.ToArray(),
            IsSeries = binding.IsSeries,
            ScalarScore = binding.LabelKind == RnnLabelKind.Single,
            KeyValues = keyValues,
            LabelStandardization = labels,
            Network = network,
            History = history.ToArray(),
            IntervalCalibrationFactor = calibration,
        };
        return new RnnTransformer(_host, model);
    }

    /// <summary>The split-conformal factor on the validation rows, logged; null (and said so) when the intervals stay uncalibrated.</summary>
    private static float? CalibrateIntervals(IChannel channel, Options options, RnnNetwork network, RnnSequenceSet? validation, RnnLabelStandardization? labels)
    {
        if (!options.CalibrateIntervals)
        {
            channel.Info("RNN: the {0:P1} intervals of the {1} distribution are not calibrated (CalibrateIntervals is false).", options.ConfidenceLevel, options.Distribution);
            return null;
        }

        if (validation is not { Count: > 0 })
        {
            channel.Info("RNN: the {0:P1} intervals of the {1} distribution are not calibrated: calibration needs a ValidationSet.", options.ConfidenceLevel, options.Distribution);
            return null;
        }

        float factor = RnnIntervalCalibration.Factor(network, validation, labels, options.ConfidenceLevel, out int count);
        if (count == 0)
        {
            channel.Warning("RNN: no validation target had a usable prediction; the {0:P1} intervals are not calibrated.", options.ConfidenceLevel);
            return null;
        }

        channel.Info("RNN: split-conformal calibration on {0} validation targets: the {1} distribution's scale is multiplied by {2:G6} so that its {3:P1} intervals cover that share of them.",
            count, options.Distribution, factor, options.ConfidenceLevel);
        return factor;
    }

    private RnnSchemaBinding Bind(DataViewSchema schema, string source, int? trainingInputSize = null)
    {
        try
        {
            return RnnSchemaBinding.ForTraining(_options, name => schema.GetColumnOrNull(name) is { } column ? RnnColumnInfo.From(column) : null,
                trainingInputSize);
        }
        catch (ArgumentOutOfRangeException e) when (source != "training data" && e.ParamName == "inputSchema")
        {
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationSet), $"In the ValidationSet: {e.Message}");
        }
    }

    private static void ReportLabelStandardization(IChannel channel, Options options, RnnLabelStandardization? labels)
    {
        if (labels is { LossToLabelUnits: not null })
        {
            channel.Info("RNN: training on the standardised label (mean {0}, standard deviation {1}); Score and the losses are in the label's units.",
                labels.Mean[0], labels.StandardDeviation[0]);
        }
        else if (labels is not null)
        {
            channel.Info("RNN: training on the label standardised per output (means {0}; standard deviations {1}); Score is in the label's units, " +
                "the losses are on the standardised label (the mean over outputs of each one's squared error over its variance).",
                string.Join(", ", labels.Mean), string.Join(", ", labels.StandardDeviation));
        }
        else if (options.Task == RnnTask.Regression && options.StandardizeLabel is null)
        {
            channel.Info("RNN: the label is not standardised, since InitialParameters were trained on it as it is; set StandardizeLabel = true to standardise.");
        }
    }

    private static void Report(IChannel channel, RnnSequenceSet set, string role)
    {
        if (set.Skipped.Total > 0)
            channel.Warning(set.Skipped.Describe(role));
        else
            channel.Info("Read {0} {1} rows.", set.Skipped.Read, role);
    }
}
