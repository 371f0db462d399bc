using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The options of a window view resolved against its source schema: every column found and type-checked, every number
/// range-checked, and the output schema built. Immutable; shared by all cursors of one view.
/// </summary>
internal sealed class SequenceWindowBinding
{
    /// <summary>One input column: where its values go within a step's features.</summary>
    internal readonly record struct InputColumn(DataViewSchema.Column Column, int Width, bool IsDouble, bool IsVector, int Offset);

    public SequenceWindowBinding(DataViewSchema source, SequenceWindowOptions options)
    {
        Options = options;
        CheckNumbers(options);

        if (options.InputColumns is null || options.InputColumns.Count == 0)
        {
            throw new ArgumentException("SequenceWindowOptions.InputColumns must name at least one column.", nameof(options));
        }

        var inputs = new InputColumn[options.InputColumns.Count];
        int offset = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Length; i++)
        {
            string name = options.InputColumns[i];
            if (!seen.Add(name ?? string.Empty))
            {
                throw new ArgumentException($"Input column '{name}' is listed twice in SequenceWindowOptions.InputColumns.", nameof(options));
            }

            var column = Find(source, name, "Input");
            var (width, isDouble, isVector) = column.Type switch
            {
                NumberDataViewType t when t.RawType == typeof(float) => (1, false, false),
                NumberDataViewType t when t.RawType == typeof(double) => (1, true, false),
                VectorDataViewType { IsKnownSize: true } v when v.ItemType.RawType == typeof(float) => (v.Size, false, true),
                VectorDataViewType { IsKnownSize: true } v when v.ItemType.RawType == typeof(double) => (v.Size, true, true),
                _ => throw new ArgumentException(
                    $"Input column '{name}' has type {column.Type}; expected Single or Double, or a known-size vector of Single or Double.",
                    nameof(options)),
            };
            inputs[i] = new InputColumn(column, width, isDouble, isVector, offset);
            offset += width;
        }

        Inputs = inputs;
        FeaturesPerStep = offset;

        string targetName = options.TargetColumn ?? options.InputColumns[0];
        Target = Find(source, targetName, "Target");
        TargetIsDouble = Target.Type switch
        {
            NumberDataViewType t when t.RawType == typeof(float) => false,
            NumberDataViewType t when t.RawType == typeof(double) => true,
            _ => throw new ArgumentException(
                $"Target column '{targetName}' has type {Target.Type}; expected Single or Double" +
                (options.TargetColumn is null ? " (no TargetColumn was given, so the first input column is the target)." : "."),
                nameof(options)),
        };

        var passThrough = (options.PassThroughColumns ?? []).Select(name => Find(source, name, "Pass-through")).ToList();
        if (options.SeriesIdColumnName is not null)
        {
            var seriesId = Find(source, options.SeriesIdColumnName, "Series id");
            if (seriesId.Type is VectorDataViewType)
            {
                throw new ArgumentException(
                    $"Series id column '{seriesId.Name}' has type {seriesId.Type}; expected a scalar (text, a number, a key, a date).", nameof(options));
            }

            // The id goes out with every window, as a pass-through column, whether or not it was listed as one.
            SeriesIdPassThrough = passThrough.FindIndex(c => c.Index == seriesId.Index);
            if (SeriesIdPassThrough < 0)
            {
                SeriesIdPassThrough = passThrough.Count;
                passThrough.Add(seriesId);
            }

            SeriesId = seriesId;
        }

        PassThrough = passThrough;

        long featureSize = (long)options.WindowLength * FeaturesPerStep;
        if (featureSize > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"A window of {options.WindowLength} steps × {FeaturesPerStep} features has {featureSize} values, more than a vector can hold.");
        }

        long span = (long)options.WindowLength + options.Horizon + options.LabelSteps - 1;
        if (span * FeaturesPerStep > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"Window length + horizon + label steps ({span} rows) × {FeaturesPerStep} features is too large for the window buffer.");
        }

        SpanRows = (int)span;
        OutputSchema = BuildSchema(source, options);
    }

    public SequenceWindowOptions Options { get; }

    public IReadOnlyList<InputColumn> Inputs { get; }

    public int FeaturesPerStep { get; }

    public DataViewSchema.Column Target { get; }

    public bool TargetIsDouble { get; }

    /// <summary>Source columns passed through, in output order.</summary>
    public IReadOnlyList<DataViewSchema.Column> PassThrough { get; }

    /// <summary>The series id column, or null for a single series.</summary>
    public DataViewSchema.Column? SeriesId { get; }

    /// <summary>The series id's index in <see cref="PassThrough"/>, or -1 for a single series.</summary>
    public int SeriesIdPassThrough { get; } = -1;

    /// <summary>Rows from a window's first row to its last label row: the ring buffer's capacity.</summary>
    public int SpanRows { get; }

    public DataViewSchema OutputSchema { get; }

    public bool IsNormalized => Options.Normalization != SequenceWindowNormalization.None;

    public const int FeaturesIndex = 0;

    public const int LabelIndex = 1;

    /// <summary>The output index of the reference column, or -1 when there is none.</summary>
    public int ReferenceIndex => IsNormalized ? 2 : -1;

    /// <summary>The output index of the first pass-through column.</summary>
    public int PassThroughStart => IsNormalized ? 3 : 2;

    private static void CheckNumbers(SequenceWindowOptions options)
    {
        if (options.WindowLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.WindowLength must be at least 1 (was {options.WindowLength}).");
        }

        if (options.Horizon < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.Horizon must be 0 or more (was {options.Horizon}).");
        }

        if (options.LabelSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.LabelSteps must be at least 1 (was {options.LabelSteps}).");
        }

        if (options.Stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.Stride must be at least 1 (was {options.Stride}).");
        }

        if (!Enum.IsDefined(options.Normalization))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.Normalization has the unknown value {(int)options.Normalization}.");
        }

        if (!Enum.IsDefined(options.PassThroughRow))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"SequenceWindowOptions.PassThroughRow has the unknown value {(int)options.PassThroughRow}.");
        }
    }

    private static DataViewSchema.Column Find(DataViewSchema source, string? name, string role)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{role} column name must not be null or empty.", "options");
        }

        var column = source.GetColumnOrNull(name);
        if (column is null || column.Value.IsHidden)
        {
            string available = string.Join(", ", source.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));
            throw new ArgumentException($"{role} column '{name}' was not found in the series. Its columns are: {available}.", "options");
        }

        return column.Value;
    }

    private DataViewSchema BuildSchema(DataViewSchema source, SequenceWindowOptions options)
    {
        var names = new List<string> { options.FeaturesColumnName, options.LabelColumnName };
        if (IsNormalized)
        {
            names.Add(options.ReferenceColumnName);
        }

        names.AddRange(PassThrough.Select(c => c.Name));
        foreach (var name in names.Take(IsNormalized ? 3 : 2))
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("Output column names (features, label, reference) must not be null or empty.", nameof(options));
            }
        }

        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"Output column '{duplicate.Key}' would appear twice: the features, label and reference column names and the pass-through columns must all differ.",
                nameof(options));
        }

        var builder = new DataViewSchema.Builder();
        var featureAnnotations = new DataViewSchema.Annotations.Builder();
        featureAnnotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, options.WindowLength * FeaturesPerStep),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)MakeSlotNames);
        // So that the trainer reads a step as FeaturesPerStep values instead of taking every value for a step of its own.
        int featuresPerStep = FeaturesPerStep;
        featureAnnotations.Add(RnnAnnotationKinds.FeaturesPerStep, NumberDataViewType.Int32, (ValueGetter<int>)((ref int value) => value = featuresPerStep));
        builder.AddColumn(options.FeaturesColumnName,
            new VectorDataViewType(NumberDataViewType.Single, options.WindowLength, FeaturesPerStep),
            featureAnnotations.ToAnnotations());
        builder.AddColumn(options.LabelColumnName,
            options.LabelSteps == 1 ? NumberDataViewType.Single : new VectorDataViewType(NumberDataViewType.Single, options.LabelSteps));
        if (IsNormalized)
        {
            builder.AddColumn(options.ReferenceColumnName, NumberDataViewType.Single);
        }

        foreach (var column in PassThrough)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        return builder.ToSchema();
    }

    /// <summary>Slot names of the feature vector: <c>Close@t-2</c>, <c>Close@t-1</c>, <c>Close@t</c>; vector inputs as <c>X[0]@t</c>.</summary>
    private void MakeSlotNames(ref VBuffer<ReadOnlyMemory<char>> destination)
    {
        int window = Options.WindowLength;
        var editor = VBufferEditor.Create(ref destination, window * FeaturesPerStep);
        for (int step = 0; step < window; step++)
        {
            int lag = window - 1 - step;
            string suffix = lag == 0 ? "@t" : $"@t-{lag}";
            foreach (var input in Inputs)
            {
                for (int j = 0; j < input.Width; j++)
                {
                    string feature = input.IsVector ? $"{input.Column.Name}[{j}]" : input.Column.Name;
                    editor.Values[step * FeaturesPerStep + input.Offset + j] = (feature + suffix).AsMemory();
                }
            }
        }

        destination = editor.Commit();
    }
}
