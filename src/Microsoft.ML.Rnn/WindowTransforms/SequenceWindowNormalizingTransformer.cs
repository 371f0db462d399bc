using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceWindowNormalizingTransformer), null, typeof(SignatureLoadModel),
    SequenceWindowNormalizingTransformer.UserName, WindowTransformFormat.NormalizerLoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(SequenceWindowNormalizingTransformer), null, typeof(SignatureLoadRowMapper),
    SequenceWindowNormalizingTransformer.UserName, WindowTransformFormat.NormalizerLoaderSignature)]

namespace Microsoft.ML.Rnn;

/// <summary>
/// Normalises each row's raw window as <see cref="SequenceWindowCatalog.CreateSequenceWindows(DataOperationsCatalog, IDataView, SequenceWindowOptions)"/>
/// does, inside the model: every value relative to the same feature's value at the window's first or last step
/// (<see cref="SequenceWindowNormalizer.Normalize"/>), plus the target's reference value in its own column, and the label (when the
/// input has it) relative to that reference. Made by <c>mlContext.Transforms.NormalizeSequenceWindow</c>; saved and loaded with the model.
/// </summary>
/// <remarks>
/// A row whose window CreateSequenceWindows would skip (a non-finite value, a zero reference, a normalised value beyond Single's range)
/// or whose length is zero or not a multiple of the features per step comes out NaN: every window value, the reference and the label.
/// Such a row then scores NaN and <see cref="SequenceForecastDenormalizingTransformer"/> gives NaN for it. Thread-safe.
/// </remarks>
public sealed class SequenceWindowNormalizingTransformer : RowToRowTransformerBase
{
    internal const string UserName = "Sequence Window Normalizing Transformer";

    private readonly WindowNormalizationSettings _settings;

    internal SequenceWindowNormalizingTransformer(IHostEnvironment env, WindowNormalizationSettings settings)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceWindowNormalizingTransformer)))
    {
        _settings = settings;
    }

    // Factory for SignatureLoadModel: ML.NET finds it through the LoadableClass attribute above.
    private static SequenceWindowNormalizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return new SequenceWindowNormalizingTransformer(env, WindowTransformFormat.LoadNormalizer(ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <summary>Writes the settings (ML.NET calls this through <c>ICanSaveModel</c>).</summary>
    protected override void SaveModel(ModelSaveContext ctx) => WindowTransformFormat.Save(ctx, _settings);

    /// <summary>Binds to an input schema (ML.NET calls this for <c>Transform</c> and prediction engines).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>Normalises <paramref name="window"/> in place and returns the target's reference value; a window that cannot be
    /// normalised is filled with NaN and NaN is returned.</summary>
    internal static float Normalize(Span<float> window, WindowNormalizationSettings settings)
    {
        int perStep = settings.FeaturesPerStep;
        if (window.Length == 0 || window.Length % perStep != 0)
            return Invalid(window);
        int referenceStep = settings.Normalization == SequenceWindowNormalization.RelativeToFirst ? 0 : window.Length / perStep - 1;
        // A copy: normalising in place overwrites the reference step.
        Span<float> references = perStep <= 256 ? stackalloc float[perStep] : new float[perStep];
        window.Slice(referenceStep * perStep, perStep).CopyTo(references);
        foreach (float value in references)
        {
            if (value == 0)
                return Invalid(window);
        }

        for (int i = 0; i < window.Length; i++)
        {
            if (!float.IsFinite(window[i]))
                return Invalid(window);
            window[i] = SequenceWindowNormalizer.Normalize(window[i], references[i % perStep]);
            if (!float.IsFinite(window[i]))
                return Invalid(window);
        }

        return references[settings.ReferenceFeature];
    }

    private static float Invalid(Span<float> window)
    {
        window.Fill(float.NaN);
        return float.NaN;
    }

    /// <summary>Binds the settings to an input schema and makes the output getters.</summary>
    private sealed class Mapper : MapperBase
    {
        private readonly SequenceWindowNormalizingTransformer _owner;
        private readonly WindowNormalizationSettings _settings;
        private readonly DataViewSchema.Column _window;
        private readonly DataViewSchema.Column? _label;

        public Mapper(SequenceWindowNormalizingTransformer owner, DataViewSchema schema)
            : base(owner.Host.Register(nameof(Mapper)), schema, owner)
        {
            _owner = owner;
            _settings = owner._settings;
            _window = schema.GetColumnOrNull(_settings.InputColumnName)
                ?? throw new ArgumentException($"The window column '{_settings.InputColumnName}' was not found in the input.", nameof(schema));
            if (!IsSingleVector(_window.Type))
                throw new ArgumentException($"The window column '{_window.Name}' is {_window.Type}; expected a vector of Single.", nameof(schema));
            _label = _settings.HasLabel ? schema.GetColumnOrNull(_settings.LabelColumnName) : null;
            if (_label is { } label && !IsSingleOrSingleVector(label.Type))
                throw new ArgumentException($"The label column '{label.Name}' is {label.Type}; expected Single or a vector of Single.", nameof(schema));
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            // The window keeps its annotations (features per step), so a trainer downstream reads the same input size.
            var columns = new List<DataViewSchema.DetachedColumn>
            {
                new(_settings.OutputColumnName, _window.Type, _window.Annotations),
                new(_settings.ReferenceColumnName, NumberDataViewType.Single),
            };
            if (_label is { } label)
                columns.Add(new DataViewSchema.DetachedColumn(label.Name, label.Type, label.Annotations));
            return columns.ToArray();
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);
            bool label = _label is not null && activeOutput(2);
            int labelIndex = _label?.Index ?? -1;
            return column => (any && column == _window.Index) || (label && column == labelIndex);
        }

        protected override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);

        /// <summary>The outputs of one cursor share one normalisation of each row.</summary>
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var getters = new Delegate[OutputColumns.Value.Length];
            if (!Enumerable.Range(0, getters.Length).Any(activeOutput))
                return getters;
            var row = new RowNormalizer(input, _window, _settings);
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = MakeGetter(row, i, input);
            }

            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            return MakeGetter(new RowNormalizer(input, _window, _settings), iinfo, input);
        }

        private Delegate MakeGetter(RowNormalizer row, int column, DataViewRow input)
        {
            switch (column)
            {
                case 0:
                    return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                    {
                        ReadOnlySpan<float> window = row.Current().Window;
                        var editor = VBufferEditor.Create(ref value, window.Length);
                        window.CopyTo(editor.Values);
                        value = editor.Commit();
                    });
                case 1:
                    return (ValueGetter<float>)((ref float value) => value = row.Current().Reference);
                default:
                    if (_label!.Value.Type is VectorDataViewType)
                    {
                        ValueGetter<VBuffer<float>> labels = input.GetGetter<VBuffer<float>>(_label.Value);
                        VBuffer<float> raw = default;
                        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                        {
                            labels(ref raw);
                            float reference = row.Current().Reference;
                            // Dense: an implicit zero of a sparse label normalises to -1, not to 0.
                            var editor = VBufferEditor.Create(ref value, raw.Length);
                            raw.CopyTo(editor.Values);
                            for (int i = 0; i < editor.Values.Length; i++)
                                editor.Values[i] = SequenceWindowNormalizer.Normalize(editor.Values[i], reference);
                            value = editor.Commit();
                        });
                    }

                    ValueGetter<float> label = input.GetGetter<float>(_label.Value);
                    return (ValueGetter<float>)((ref float value) =>
                    {
                        label(ref value);
                        value = SequenceWindowNormalizer.Normalize(value, row.Current().Reference);
                    });
            }
        }

        private static bool IsSingleVector(DataViewType type) => type is VectorDataViewType { ItemType: NumberDataViewType t } && t == NumberDataViewType.Single;

        private static bool IsSingleOrSingleVector(DataViewType type) => type == NumberDataViewType.Single || IsSingleVector(type);
    }

    /// <summary>One cursor's state: normalises the current row once, by position, into a buffer reused across rows.</summary>
    private sealed class RowNormalizer
    {
        private readonly DataViewRow _input;
        private readonly ValueGetter<VBuffer<float>> _source;
        private readonly WindowNormalizationSettings _settings;
        private VBuffer<float> _raw;
        private float[] _window = [];
        private int _length;
        private long _position = -1;

        public RowNormalizer(DataViewRow input, DataViewSchema.Column window, WindowNormalizationSettings settings)
        {
            _input = input;
            _source = input.GetGetter<VBuffer<float>>(window);
            _settings = settings;
        }

        /// <summary>The current row's normalised window.</summary>
        public ReadOnlySpan<float> Window => _window.AsSpan(0, _length);

        /// <summary>The current row's reference value of the target, or NaN.</summary>
        public float Reference { get; private set; }

        public RowNormalizer Current()
        {
            if (_input.Position != _position)
            {
                _source(ref _raw);
                _length = _raw.Length;
                if (_window.Length < _length)
                    _window = new float[_length];
                _raw.CopyTo(_window);
                Reference = Normalize(_window.AsSpan(0, _length), _settings);
                _position = _input.Position;
            }

            return this;
        }
    }
}
