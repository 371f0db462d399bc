namespace Microsoft.ML.Rnn;

/// <summary>One forecast column <see cref="SequenceForecastDenormalizingTransformer"/> maps back to the original units.</summary>
/// <param name="OutputColumnName">The column written.</param>
/// <param name="InputColumnName">The normalised Single or Single-vector column read.</param>
/// <param name="Optional">When true, an input without the column is not an error and the column is left out: how the
/// prediction-interval columns are handled, which only some models produce.</param>
internal sealed record ForecastColumn(string OutputColumnName, string InputColumnName, bool Optional);
