using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The estimator of <see cref="SequenceForecastDenormalizingTransformer"/>: nothing is learned, so <see cref="Fit"/> only checks the
/// input's columns. Made by <c>mlContext.Transforms.DenormalizeSequenceForecast</c>.
/// </summary>
public sealed class SequenceForecastDenormalizingEstimator : IEstimator<SequenceForecastDenormalizingTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly ForecastDenormalizationSettings _settings;

    internal SequenceForecastDenormalizingEstimator(IHostEnvironment env, ForecastDenormalizationSettings settings)
    {
        _env = env;
        _settings = settings;
    }

    /// <summary>The transformer, bound to <paramref name="input"/>'s schema to check it.</summary>
    /// <exception cref="ArgumentException">The reference column is missing or not Single, or a forecast column is missing or not Single or a Single vector.</exception>
    public SequenceForecastDenormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new SequenceForecastDenormalizingTransformer(_env, _settings);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input's columns with the forecast columns (those the input has) mapped back, keeping their shape and annotations.</summary>
    /// <exception cref="ArgumentException">The reference column is missing or not Single, or a forecast column is missing or not Single or a Single vector.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_settings.ReferenceColumnName, out SchemaShape.Column reference))
            throw new ArgumentException($"The reference column '{_settings.ReferenceColumnName}' was not found in the input.", nameof(inputSchema));
        if (reference.Kind != SchemaShape.Column.VectorKind.Scalar || reference.ItemType != NumberDataViewType.Single || reference.IsKey)
            throw new ArgumentException($"The reference column '{reference.Name}' is {reference.GetTypeString()}; expected Single.", nameof(inputSchema));
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (ForecastColumn column in _settings.Columns)
        {
            if (!inputSchema.TryFindColumn(column.InputColumnName, out SchemaShape.Column input))
            {
                if (column.Optional)
                    continue;
                throw new ArgumentException($"The forecast column '{column.InputColumnName}' was not found in the input.", nameof(inputSchema));
            }

            if (input.ItemType != NumberDataViewType.Single || input.IsKey)
                throw new ArgumentException($"The forecast column '{input.Name}' is {input.GetTypeString()}; expected Single or a vector of Single.", nameof(inputSchema));
            columns[column.OutputColumnName] = new SchemaShape.Column(column.OutputColumnName, input.Kind, input.ItemType, false, input.Annotations);
        }

        return new SchemaShape(columns.Values);
    }
}
