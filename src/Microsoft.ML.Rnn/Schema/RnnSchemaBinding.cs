using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>The label's shape, which the task and head fix.</summary>
internal enum RnnLabelKind
{
    /// <summary>A <see cref="float"/> (regression, N vs 1, one output).</summary>
    Single,

    /// <summary>A <see cref="float"/> vector (regression: several outputs for N vs 1, output steps × outputs for the other heads).</summary>
    SingleVector,

    /// <summary>A <see cref="bool"/> (binary, N vs 1).</summary>
    Boolean,

    /// <summary>A <see cref="bool"/> vector, one per output step (binary, the other heads).</summary>
    BooleanVector,

    /// <summary>A key (multiclass, N vs 1).</summary>
    Key,

    /// <summary>A key vector, one per output step (multiclass, the other heads).</summary>
    KeyVector,
}

/// <summary>
/// Checks options and columns against each other and works out the sequence layout: which columns hold the
/// features, the input size, fixed or variable steps, the label's kind and the number of outputs per step.
/// The estimator's <c>GetOutputSchema</c>, <c>Fit</c> and the transformer's scoring all go through here, so they
/// agree on what is accepted and on the messages.
/// </summary>
internal sealed class RnnSchemaBinding
{
    private RnnSchemaBinding(string[] featureColumns, int inputSize, int? steps)
    {
        FeatureColumns = featureColumns;
        InputSize = inputSize;
        Steps = steps;
    }

    /// <summary>The feature column, or the series columns in order.</summary>
    public string[] FeatureColumns { get; }

    /// <summary>True when the features come from <see cref="RnnTrainer.Options.SeriesColumnNames"/>.</summary>
    public bool IsSeries { get; private set; }

    /// <summary>Features per step.</summary>
    public int InputSize { get; }

    /// <summary>Steps of every sequence when the columns have a known size; null for variable-length sequences
    /// (or when the size is not known yet, in a <see cref="SchemaShape"/>).</summary>
    public int? Steps { get; }

    /// <summary>True for <see cref="RnnHead.OneToMany"/>: the feature column holds one input vector per row, a sequence of one step.</summary>
    public bool IsInputVector { get; private set; }

    /// <summary>True when the output vectors have a known size (all feature columns are known-size vectors; in a
    /// schema shape, none is a variable vector).</summary>
    public bool FixedLength { get; private set; }

    /// <summary>How the head's outputs, and so the label's targets, line up with the steps (training only).</summary>
    public HeadStructure Head { get; private set; } = HeadStructure.OnePerSequence;

    /// <summary>The label's kind (training only).</summary>
    public RnnLabelKind LabelKind { get; private set; }

    /// <summary>The label's known vector size, or 0.</summary>
    public int LabelVectorSize { get; private set; }

    /// <summary>Outputs per step (per sequence for N vs 1): regression outputs, 1 for binary, the class count for
    /// multiclass. 0 when not known yet (shapes, or an N vs N regression label of variable size).</summary>
    public int OutputSize { get; private set; }

    /// <summary>Item type of the label's key values, for multiclass.</summary>
    public Data.DataViewType? KeyValuesItemType { get; private set; }

    /// <summary>Checks every option that does not depend on the data; throws naming the option.</summary>
    public static void ValidateOptions(RnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SeriesColumnNames is null)
        {
            if (string.IsNullOrWhiteSpace(options.FeatureColumnName))
                throw Option(nameof(options.FeatureColumnName), $"is '{options.FeatureColumnName}'", "the name of a float vector column (or SeriesColumnNames)");
        }
        else
        {
            if (options.SeriesColumnNames.Length == 0)
                throw Option(nameof(options.SeriesColumnNames), "is empty", "at least one column name, or null to use FeatureColumnName");
            for (int i = 0; i < options.SeriesColumnNames.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(options.SeriesColumnNames[i]))
                    throw Option(nameof(options.SeriesColumnNames), $"has '{options.SeriesColumnNames[i]}' at index {i}", "column names");
            }

            string? duplicate = options.SeriesColumnNames.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (duplicate is not null)
                throw Option(nameof(options.SeriesColumnNames), $"names '{duplicate}' twice", "each series column once");
            // 1 was the default before 0 (automatic) was; code that set it explicitly keeps working.
            if (options.InputSize is not (0 or 1) && options.InputSize != options.SeriesColumnNames.Length)
                throw Option(nameof(options.InputSize), $"is {options.InputSize} with {options.SeriesColumnNames.Length} SeriesColumnNames",
                    $"0 (the default), 1 or {options.SeriesColumnNames.Length}: each series column is one feature per step");
        }

        if (options.InputSize < 0)
            throw Option(nameof(options.InputSize), $"is {options.InputSize}",
                $"features per step, from 1 to {RnnLimits.MaxInputSize}, or 0 (the default) to take them from the feature column's {RnnAnnotationKinds.FeaturesPerStep} annotation (1 without one)");

        if (string.IsNullOrWhiteSpace(options.LabelColumnName))
            throw Option(nameof(options.LabelColumnName), $"is '{options.LabelColumnName}'", "the name of the label column");
        OptionCheck.Defined(options.Task, nameof(options.Task), Option);
        CheckDistribution(options);
        CheckSequenceStructure(options);
        CheckAtLeast(options.BatchSize, 1, nameof(options.BatchSize), "rows per batch");
        CheckAtLeast(options.MaxEpochs, 0, nameof(options.MaxEpochs), "epochs (0 keeps the initial weights)");
        CheckAtLeast(options.EarlyStoppingPatience, 0, nameof(options.EarlyStoppingPatience), "epochs without improvement (0 = off)");
        if (options.NumberOfThreads is int threads && threads < 1)
            throw Option(nameof(options.NumberOfThreads), $"is {threads}", "at least 1, or null for every core");
        if (options.StandardizeLabel == true && options.Task != RnnTask.Regression)
            throw Option(nameof(options.StandardizeLabel), $"is true for {options.Task}", "null or false: only a regression label is real-valued");

        // The network and optimizer settings are the core's: its rules (SequenceStructureCheck's too), reported as options. The output size comes
        // from the label, which the schema binding checks, so any valid one stands in for it here.
        // An automatic input size (0) is decided by the data; 1 stands in for it here.
        options.NetworkShape(options.SeriesColumnNames?.Length ?? Math.Max(options.InputSize, 1), outputSize: 1).Validate(Option);
        options.TrainingOptions(seed: 0).Validate(Option);
        // After the learning rate itself, which the schedule's floor is compared with.
        RnnLearningRateScheduler.Validate(options, Option);
    }

    /// <summary>The distribution options: a distribution is for a real-valued label, and its interval needs a probability.</summary>
    private static void CheckDistribution(RnnTrainer.Options options)
    {
        OptionCheck.Defined(options.Distribution, nameof(options.Distribution), Option);
        if (options.Distribution != RnnDistribution.None && options.Task != RnnTask.Regression)
            throw Option(nameof(options.Distribution), $"is {options.Distribution} for {options.Task}",
                "None: only a regression label is real-valued (a classifier's Probability is already its predicted distribution)");
        if (!(options.ConfidenceLevel > 0f && options.ConfidenceLevel < 1f))
            throw Option(nameof(options.ConfidenceLevel), $"is {options.ConfidenceLevel}",
                "a probability strictly between 0 and 1 (0.95 gives the central 95% interval)");
    }

    /// <summary>The trainer's own rules for the decoder heads (<see cref="RnnHead.OneToMany"/>, <see cref="RnnHead.EncoderDecoder"/>),
    /// on options the core does not have: checked before the core's, whose <c>OutputFeedback</c> the user sets as
    /// <see cref="RnnTrainer.Options.FeedPreviousOutput"/>.</summary>
    private static void CheckSequenceStructure(RnnTrainer.Options options)
    {
        OptionCheck.Defined(options.Head, nameof(options.Head), Option);
        bool hasDecoder = RnnHeads.HasDecoder(options.Head);
        if (options.FeedPreviousOutput && !hasDecoder)
            throw Option(nameof(options.FeedPreviousOutput), $"is true with Head {options.Head}, which has no decoder to feed",
                "false (the default), or Head = OneToMany or EncoderDecoder");
        if (options.Stateful && hasDecoder)
            throw Option(nameof(options.Stateful), $"is true with Head {options.Head}, whose decoder starts every row afresh from the row's own input",
                "false (the default); carrying the state from batch to batch is for ManyToOne and ManyToMany");
        if (!RnnHeads.HasEncoder(options.Head) && options.SeriesColumnNames is not null)
            throw Option(nameof(options.SeriesColumnNames), $"names {options.SeriesColumnNames.Length} column(s) with Head OneToMany, whose input is one vector per row",
                "null, with the input vector in FeatureColumnName (a known-size vector of Single holding InputSize values)");
    }

    /// <summary>Binds the feature columns and the label for training (estimator shapes or data schemas). The input size is
    /// <see cref="RnnTrainer.Options.InputSize"/> when set, otherwise the feature column's
    /// <see cref="RnnAnnotationKinds.FeaturesPerStep"/> annotation, otherwise 1 (<see cref="RnnHead.OneToMany"/>: otherwise the
    /// input vector's size); <paramref name="trainingInputSize"/>, when given (for the validation set), is the one the training data decided.</summary>
    public static RnnSchemaBinding ForTraining(RnnTrainer.Options options, Func<string, RnnColumnInfo?> findColumn, int? trainingInputSize = null)
    {
        ValidateOptions(options);
        RnnSchemaBinding binding;
        if (!RnnHeads.HasEncoder(options.Head))
        {
            (int? inputSize, InputSizeOrigin origin) = (trainingInputSize, options.InputSize) switch
            {
                (int decided, _) => (decided, InputSizeOrigin.TrainingData),
                (null, 0) => ((int?)null, InputSizeOrigin.Annotation),
                (null, int set) => (set, InputSizeOrigin.Option),
            };
            binding = BindInputVector(options.FeatureColumnName, inputSize, origin, findColumn);
        }
        else if (options.SeriesColumnNames is not null)
        {
            binding = BindFeatures(options.SeriesColumnNames, isSeries: true, options.SeriesColumnNames.Length, InputSizeOrigin.Option, findColumn);
        }
        else
        {
            string name = options.FeatureColumnName;
            (int inputSize, InputSizeOrigin origin) = (trainingInputSize, options.InputSize) switch
            {
                (int decided, _) => (decided, InputSizeOrigin.TrainingData),
                (null, 0) => (findColumn(name) is { FeaturesPerStep: int annotated } ? CheckAnnotation("Feature", name, annotated) : 1, InputSizeOrigin.Annotation),
                (null, int set) => (set, InputSizeOrigin.Option),
            };
            binding = BindFeatures([name], isSeries: false, inputSize, origin, findColumn);
        }

        binding.BindLabel(options, findColumn);
        return binding;
    }

    /// <summary>Binds the feature columns for scoring a trained model with head <paramref name="head"/>.</summary>
    public static RnnSchemaBinding ForScoring(RnnHead head, string[] featureColumns, bool isSeries, int inputSize, Func<string, RnnColumnInfo?> findColumn) =>
        !RnnHeads.HasEncoder(head)
            ? BindInputVector(featureColumns[0], inputSize, InputSizeOrigin.Model, findColumn)
            : BindFeatures(featureColumns, isSeries, inputSize, InputSizeOrigin.Model, findColumn);

    /// <summary>Where the input size a binding checks the columns against came from, for the message when a column's
    /// <see cref="RnnAnnotationKinds.FeaturesPerStep"/> annotation disagrees.</summary>
    private enum InputSizeOrigin
    {
        /// <summary><see cref="RnnTrainer.Options.InputSize"/> (or the series columns' count).</summary>
        Option,

        /// <summary>The feature column's annotation, or 1 without one (so it cannot disagree); for
        /// <see cref="RnnHead.OneToMany"/>, the input vector's own size.</summary>
        Annotation,

        /// <summary>The training data, for the validation set.</summary>
        TrainingData,

        /// <summary>The trained model, for scoring.</summary>
        Model,
    }

    private static RnnSchemaBinding BindFeatures(string[] columns, bool isSeries, int inputSize, InputSizeOrigin origin, Func<string, RnnColumnInfo?> findColumn)
    {
        string role = isSeries ? "Series" : "Feature";
        int? steps = null;
        bool allKnown = true;
        bool sizesKnown = true;
        foreach (string name in columns)
        {
            RnnColumnInfo column = findColumn(name)
                ?? throw Column(role, name, "no such column", isSeries ? "a float vector column, one feature per step" : "a float vector column");
            if (!column.IsVector || column.ItemRawType != typeof(float) || column.IsKey)
            {
                throw Column(role, name, $"type {column.TypeText}",
                    isSeries ? "a vector of Single, one value per step" : $"a vector of Single holding steps × InputSize ({inputSize}) values, time-major");
            }

            if (column.FeaturesPerStep is int annotated && CheckAnnotation(role, name, annotated) != (isSeries ? 1 : inputSize))
                throw AnnotationConflict(role, name, annotated, isSeries, inputSize, origin);

            if (column.IsVariableVector)
            {
                allKnown = false;
                continue;
            }

            if (column.VectorSize == 0)
            {
                sizesKnown = false;
                continue;
            }

            if (!isSeries && column.VectorSize % inputSize != 0)
            {
                throw Column(role, name, $"vectors of {column.VectorSize} values, which is not a multiple of InputSize = {inputSize}",
                    "a length of steps × InputSize (time-major, InputSize values per step)");
            }

            int columnSteps = isSeries ? column.VectorSize : column.VectorSize / inputSize;
            if (steps is int known && known != columnSteps)
            {
                throw Column(role, name, $"{columnSteps} steps while '{columns[0]}' has {known}", "series columns of equal length");
            }

            steps = columnSteps;
        }

        return new RnnSchemaBinding(columns, inputSize, allKnown && sizesKnown ? steps : null) { IsSeries = isSeries, FixedLength = allKnown };
    }

    /// <summary>
    /// <see cref="RnnHead.OneToMany"/>: the feature column holds one input vector per row, a known-size vector of
    /// <see cref="float"/>, which the network reads as a sequence of one step. <paramref name="inputSize"/> null takes the
    /// vector's size (unknown in a schema shape, where 1 stands in for it).
    /// </summary>
    private static RnnSchemaBinding BindInputVector(string name, int? inputSize, InputSizeOrigin origin, Func<string, RnnColumnInfo?> findColumn)
    {
        string expected = inputSize is int size
            ? $"a known-size vector of Single holding the row's input vector, InputSize = {size} values (OneToMany)"
            : "a known-size vector of Single holding the row's input vector (OneToMany; its size is the input size)";
        RnnColumnInfo column = findColumn(name) ?? throw Column("Feature", name, "no such column", expected);
        if (!column.IsVector || column.ItemRawType != typeof(float) || column.IsKey || column.IsVariableVector)
            throw Column("Feature", name, $"type {column.TypeText}", expected);
        if (inputSize is int known && column.VectorSize > 0 && column.VectorSize != known)
        {
            string source = origin switch
            {
                InputSizeOrigin.Model => $"the model's {known} input values, as in training",
                InputSizeOrigin.TrainingData => $"the training data's {known} input values",
                _ => $"InputSize = {known} values, or InputSize = 0 (the default) to take the vector's size",
            };
            throw Column("Feature", name, $"vectors of {column.VectorSize} values", $"{source} (OneToMany reads one input vector per row)");
        }

        int decided = inputSize ?? Math.Max(column.VectorSize, 1);
        return new RnnSchemaBinding([name], decided, steps: 1) { FixedLength = true, IsInputVector = true };
    }

    private void BindLabel(RnnTrainer.Options options, Func<string, RnnColumnInfo?> findColumn)
    {
        string name = options.LabelColumnName;
        HeadStructure head = RnnHeads.Structure(options.Head, options.OutputLength);
        bool hasStepAxis = head.HasStepAxis;
        // 1 vs N and N vs M: M = OutputLength output steps, whatever the input's length.
        int? outputLength = hasStepAxis ? head.OutputSteps((int?)null) : null;
        string structure = RnnHeads.StructureName(options.Head);
        string perStep = outputLength is int length ? $"one per output step, OutputLength = {length} ({structure})" : "one per step (N vs N)";
        string expected = (options.Task, hasStepAxis) switch
        {
            (RnnTask.Regression, false) => "Single, or a known-size vector of Single (one value per output)",
            (RnnTask.Regression, true) when outputLength is not null => $"a vector of Single holding OutputLength × outputs = {outputLength} × outputs values, time-major ({structure})",
            (RnnTask.Regression, true) => "a vector of Single holding steps × outputs values, time-major (N vs N)",
            (RnnTask.BinaryClassification, false) => "Boolean",
            (RnnTask.BinaryClassification, true) => $"a vector of Boolean, {perStep}",
            (RnnTask.MulticlassClassification, false) => "a key type with at least 2 classes (use MapValueToKey)",
            _ => $"a vector of keys with at least 2 classes, {perStep}; use MapValueToKey",
        };
        if (options.ExampleWeightColumnName is { } weightName)
        {
            const string expectedWeight = "Single, one weight per row";
            RnnColumnInfo weight = findColumn(weightName) ?? throw Column("Example weight", weightName, "no such column", expectedWeight);
            if (weight.IsVector || weight.IsKey || weight.ItemRawType != typeof(float))
                throw Column("Example weight", weightName, $"type {weight.TypeText}", expectedWeight);
        }

        RnnColumnInfo label = findColumn(name) ?? throw Column("Label", name, "no such column", expected);
        Type raw = label.ItemRawType;
        RnnLabelKind? kind = (options.Task, hasStepAxis, label.IsVector) switch
        {
            (RnnTask.Regression, false, false) when raw == typeof(float) && !label.IsKey => RnnLabelKind.Single,
            (RnnTask.Regression, false, true) when raw == typeof(float) && !label.IsKey && !label.IsVariableVector => RnnLabelKind.SingleVector,
            (RnnTask.Regression, true, true) when raw == typeof(float) && !label.IsKey => RnnLabelKind.SingleVector,
            (RnnTask.BinaryClassification, false, false) when raw == typeof(bool) => RnnLabelKind.Boolean,
            (RnnTask.BinaryClassification, true, true) when raw == typeof(bool) => RnnLabelKind.BooleanVector,
            (RnnTask.MulticlassClassification, false, false) when label.IsKey => RnnLabelKind.Key,
            (RnnTask.MulticlassClassification, true, true) when label.IsKey => RnnLabelKind.KeyVector,
            _ => null,
        };
        if (kind is null)
            throw Column("Label", name, $"type {label.TypeText} for {options.Task} with head {options.Head}", expected);

        LabelKind = kind.Value;
        Head = head;
        LabelVectorSize = label.VectorSize;
        int? labelSteps = head.OutputSteps(Steps);
        string StepsText(int steps) => outputLength is null ? $"sequences of {steps} steps" : $"OutputLength = {steps} output steps";
        switch (options.Task)
        {
            case RnnTask.Regression when !hasStepAxis:
                OutputSize = kind == RnnLabelKind.Single ? 1 : label.VectorSize;
                break;
            case RnnTask.Regression:
                if (label.VectorSize > 0 && labelSteps is int steps)
                {
                    if (label.VectorSize % steps != 0)
                    {
                        throw Column("Label", name, $"vectors of {label.VectorSize} values for {StepsText(steps)}",
                            outputLength is null
                                ? "a length of steps × outputs (N vs N: one or more values per step)"
                                : $"a length of OutputLength × outputs ({structure}: {steps} output steps of one or more values)");
                    }

                    OutputSize = label.VectorSize / steps;
                }

                break;
            case RnnTask.BinaryClassification:
                OutputSize = 1;
                if (hasStepAxis && label.VectorSize > 0 && labelSteps is int binarySteps && label.VectorSize != binarySteps)
                    throw Column("Label", name, $"vectors of {label.VectorSize} values for {StepsText(binarySteps)}", $"{binarySteps} values, one Boolean per step");
                break;
            case RnnTask.MulticlassClassification:
                if (label.KeyCount == 1 || label.KeyCount > RnnLimits.MaxOutputSize)
                    throw Column("Label", name, $"a key type with {label.KeyCount} classes", $"between 2 and {RnnLimits.MaxOutputSize} classes");
                OutputSize = (int)label.KeyCount;
                KeyValuesItemType = label.KeyValuesItemType;
                if (hasStepAxis && label.VectorSize > 0 && labelSteps is int keySteps && label.VectorSize != keySteps)
                    throw Column("Label", name, $"vectors of {label.VectorSize} keys for {StepsText(keySteps)}", $"{keySteps} keys, one per step");
                break;
        }
    }

    /// <summary>Returns a <see cref="RnnAnnotationKinds.FeaturesPerStep"/> annotation's value if the network could take it.</summary>
    private static int CheckAnnotation(string role, string name, int featuresPerStep) =>
        featuresPerStep is >= 1 and <= RnnLimits.MaxInputSize
            ? featuresPerStep
            : throw Column(role, name, $"a {RnnAnnotationKinds.FeaturesPerStep} annotation of {featuresPerStep}",
                $"from 1 to {RnnLimits.MaxInputSize} features per step");

    /// <summary>A column whose annotation says it holds a different number of features per step than the network reads.</summary>
    private static ArgumentOutOfRangeException AnnotationConflict(string role, string name, int annotated, bool isSeries, int inputSize, InputSizeOrigin origin)
    {
        string found = $"a {RnnAnnotationKinds.FeaturesPerStep} annotation of {annotated} features per step";
        return (isSeries, origin) switch
        {
            (true, _) => Column(role, name, found,
                "one feature per step in each series column (a column of several features per step goes in FeatureColumnName)"),
            (false, InputSizeOrigin.Model) => Column(role, name, $"{found}, but the model was trained with {inputSize}",
                $"{inputSize} features per step, as in training"),
            (false, InputSizeOrigin.TrainingData) => Column(role, name, $"{found}, but the training data has {inputSize}",
                $"the training data's {inputSize} features per step"),
            _ => Column(role, name, $"{found}, but option InputSize is {inputSize}",
                $"InputSize = {annotated}, or InputSize = 0 (the default) to take it from the annotation"),
        };
    }

    /// <summary>An invalid option: names it, says what was found and what was expected.</summary>
    public static ArgumentOutOfRangeException Option(string option, string found, string expected) =>
        new(option, $"Option '{option}' {found}; expected {expected}.");

    /// <summary>A column that does not fit: names it, says what was found and what was expected.</summary>
    public static ArgumentOutOfRangeException Column(string role, string name, string found, string expected) =>
        new("inputSchema", $"{role} column '{name}': found {found}; expected {expected}.");

    private static void CheckAtLeast(int value, int minimum, string option, string what)
    {
        if (value < minimum)
            throw Option(option, $"is {value}", $"at least {minimum} {what}");
    }
}
