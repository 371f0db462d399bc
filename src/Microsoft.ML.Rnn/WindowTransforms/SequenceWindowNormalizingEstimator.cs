using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The estimator of <see cref="SequenceWindowNormalizingTransformer"/>: nothing is learned, so <see cref="Fit"/> only checks the
/// input's columns. Made by <c>mlContext.Transforms.NormalizeSequenceWindow</c>.
/// </summary>
public sealed class SequenceWindowNormalizingEstimator : IEstimator<SequenceWindowNormalizingTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly WindowNormalizationSettings _settings;

    internal SequenceWindowNormalizingEstimator(IHostEnvironment env, WindowNormalizationSettings settings)
    {
        _env = env;
        _settings = settings;
    }

    /// <summary>The transformer, bound to <paramref name="input"/>'s schema to check it.</summary>
    /// <exception cref="ArgumentException">The window column is missing or not a Single vector, or the label is not Single or a Single vector.</exception>
    public SequenceWindowNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new SequenceWindowNormalizingTransformer(_env, _settings);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input's columns plus the normalised window, the reference value and the normalised label (when the input has it).</summary>
    /// <exception cref="ArgumentException">The window column is missing or not a Single vector, or the label is not Single or a Single vector.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_settings.InputColumnName, out SchemaShape.Column window))
            throw new ArgumentException($"The window column '{_settings.InputColumnName}' was not found in the input.", nameof(inputSchema));
        if (window.Kind == SchemaShape.Column.VectorKind.Scalar || window.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"The window column '{window.Name}' is {window.GetTypeString()}; expected a vector of Single.", nameof(inputSchema));
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_settings.OutputColumnName] = new SchemaShape.Column(_settings.OutputColumnName, window.Kind, window.ItemType, false, window.Annotations);
        columns[_settings.ReferenceColumnName] = new SchemaShape.Column(_settings.ReferenceColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        if (_settings.HasLabel && inputSchema.TryFindColumn(_settings.LabelColumnName, out SchemaShape.Column label)
            && (label.ItemType != NumberDataViewType.Single || label.IsKey))
        {
            throw new ArgumentException($"The label column '{label.Name}' is {label.GetTypeString()}; expected Single or a vector of Single.", nameof(inputSchema));
        }

        return new SchemaShape(columns.Values);
    }
}
