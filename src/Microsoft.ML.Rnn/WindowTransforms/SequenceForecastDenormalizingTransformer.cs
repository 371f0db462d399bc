using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceForecastDenormalizingTransformer), null, typeof(SignatureLoadModel),
    SequenceForecastDenormalizingTransformer.UserName, WindowTransformFormat.DenormalizerLoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(SequenceForecastDenormalizingTransformer), null, typeof(SignatureLoadRowMapper),
    SequenceForecastDenormalizingTransformer.UserName, WindowTransformFormat.DenormalizerLoaderSignature)]

namespace Microsoft.ML.Rnn;

/// <summary>
/// Maps forecasts made on normalised windows back to the original units, inside the model: each value <c>y</c> of the forecast
/// column (Single or a Single vector, for a multi-step forecast) becomes <c>reference × (1 + y)</c>
/// (<see cref="SequenceWindowNormalizer.Denormalize(float, float)"/>), with the row's reference value from the column
/// <see cref="SequenceWindowNormalizingTransformer"/> or CreateSequenceWindows wrote. The prediction-interval columns
/// <c>LowerBound</c> and <c>UpperBound</c> are mapped back in place as well when the input has them. Made by
/// <c>mlContext.Transforms.DenormalizeSequenceForecast</c>; saved and loaded with the model.
/// </summary>
/// <remarks>
/// A zero or non-finite reference (a window that could not be normalised) gives NaN. The output columns keep the input columns'
/// annotations, so the evaluators read a mapped-back <c>Score</c> as they read the scorer's. A negative reference reverses the
/// order of values: its interval bounds come out swapped. Thread-safe.
/// </remarks>
public sealed class SequenceForecastDenormalizingTransformer : RowToRowTransformerBase
{
    internal const string UserName = "Sequence Forecast Denormalizing Transformer";

    private readonly ForecastDenormalizationSettings _settings;

    internal SequenceForecastDenormalizingTransformer(IHostEnvironment env, ForecastDenormalizationSettings settings)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceForecastDenormalizingTransformer)))
    {
        _settings = settings;
    }

    // Factory for SignatureLoadModel: ML.NET finds it through the LoadableClass attribute above.
    private static SequenceForecastDenormalizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return new SequenceForecastDenormalizingTransformer(env, WindowTransformFormat.LoadDenormalizer(ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <summary>Writes the settings (ML.NET calls this through <c>ICanSaveModel</c>).</summary>
    protected override void SaveModel(ModelSaveContext ctx) => WindowTransformFormat.Save(ctx, _settings);

    /// <summary>Binds to an input schema (ML.NET calls this for <c>Transform</c> and prediction engines).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>One value back in the original units; NaN for a reference that is zero or not finite.</summary>
    internal static float Denormalize(float normalized, float reference) =>
        float.IsFinite(reference) && reference != 0 ? SequenceWindowNormalizer.Denormalize(normalized, reference) : float.NaN;

    /// <summary>Binds the forecast columns the input has to it and makes the output getters.</summary>
    private sealed class Mapper : MapperBase
    {
        private readonly SequenceForecastDenormalizingTransformer _owner;
        private readonly DataViewSchema.Column _reference;
        private readonly (ForecastColumn Column, DataViewSchema.Column Input)[] _columns;

        public Mapper(SequenceForecastDenormalizingTransformer owner, DataViewSchema schema)
            : base(owner.Host.Register(nameof(Mapper)), schema, owner)
        {
            _owner = owner;
            ForecastDenormalizationSettings settings = owner._settings;
            _reference = schema.GetColumnOrNull(settings.ReferenceColumnName)
                ?? throw new ArgumentException($"The reference column '{settings.ReferenceColumnName}' was not found in the input.", nameof(schema));
            if (_reference.Type != NumberDataViewType.Single)
                throw new ArgumentException($"The reference column '{_reference.Name}' is {_reference.Type}; expected Single.", nameof(schema));
            var columns = new List<(ForecastColumn, DataViewSchema.Column)>();
            foreach (ForecastColumn column in settings.Columns)
            {
                DataViewSchema.Column? input = schema.GetColumnOrNull(column.InputColumnName);
                if (input is null && column.Optional)
                    continue;
                if (input is null)
                    throw new ArgumentException($"The forecast column '{column.InputColumnName}' was not found in the input.", nameof(schema));
                if (!(input.Value.Type == NumberDataViewType.Single || input.Value.Type is VectorDataViewType { ItemType: NumberDataViewType t } && t == NumberDataViewType.Single))
                    throw new ArgumentException($"The forecast column '{input.Value.Name}' is {input.Value.Type}; expected Single or a vector of Single.", nameof(schema));
                columns.Add((column, input.Value));
            }

            _columns = columns.ToArray();
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _columns.Select(c => new DataViewSchema.DetachedColumn(c.Column.OutputColumnName, c.Input.Type, c.Input.Annotations)).ToArray();

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            var needed = Enumerable.Range(0, _columns.Length).Where(activeOutput).Select(i => _columns[i].Input.Index).ToHashSet();
            if (needed.Count > 0)
                needed.Add(_reference.Index);
            return needed.Contains;
        }

        protected override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            ValueGetter<float> reference = input.GetGetter<float>(_reference);
            DataViewSchema.Column source = _columns[iinfo].Input;
            if (source.Type is VectorDataViewType)
            {
                ValueGetter<VBuffer<float>> values = input.GetGetter<VBuffer<float>>(source);
                VBuffer<float> raw = default;
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    float r = 0;
                    reference(ref r);
                    values(ref raw);
                    // Dense: an implicit zero of a sparse forecast maps back to the reference, not to 0.
                    var editor = VBufferEditor.Create(ref value, raw.Length);
                    raw.CopyTo(editor.Values);
                    for (int i = 0; i < editor.Values.Length; i++)
                        editor.Values[i] = Denormalize(editor.Values[i], r);
                    value = editor.Commit();
                });
            }

            ValueGetter<float> scalar = input.GetGetter<float>(source);
            return (ValueGetter<float>)((ref float value) =>
            {
                float r = 0;
                reference(ref r);
                scalar(ref value);
                value = Denormalize(value, r);
            });
        }
    }
}
