namespace Microsoft.ML.Rnn;

/// <summary>
/// What <see cref="SequenceForecastDenormalizingTransformer"/> does, as its catalog method takes it and its model file stores it.
/// </summary>
/// <param name="ReferenceColumnName">The Single column holding each window's reference value.</param>
/// <param name="Columns">The forecast columns; the first is required, the interval columns are optional.</param>
internal sealed record ForecastDenormalizationSettings(string ReferenceColumnName, IReadOnlyList<ForecastColumn> Columns)
{
    /// <summary>The prediction-interval columns a regression scorer may add next to <c>Score</c>, mapped back in place when present.</summary>
    public static readonly string[] IntervalColumnNames = ["LowerBound", "UpperBound"];

    /// <summary>Most forecast columns one transformer maps (a corrupt count must not allocate much).</summary>
    public const int MaxColumns = 64;

    /// <summary>The settings the catalog method makes: <paramref name="inputColumnName"/> to <paramref name="outputColumnName"/>,
    /// and the interval columns in place when the input has them and they are not already named.</summary>
    public static ForecastDenormalizationSettings Create(string outputColumnName, string inputColumnName, string referenceColumnName)
    {
        var columns = new List<ForecastColumn> { new(outputColumnName, inputColumnName, Optional: false) };
        foreach (string interval in IntervalColumnNames)
        {
            if (interval != outputColumnName && interval != inputColumnName)
                columns.Add(new ForecastColumn(interval, interval, Optional: true));
        }

        return new ForecastDenormalizationSettings(referenceColumnName, columns);
    }

    /// <summary>What is wrong with the settings, or null when they are valid.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(ReferenceColumnName))
            return "the reference column name must not be empty";
        if (Columns.Count < 1 || Columns.Count > MaxColumns)
            return $"there are {Columns.Count} forecast columns; expected 1 .. {MaxColumns}";
        if (Columns.Any(c => string.IsNullOrEmpty(c.OutputColumnName) || string.IsNullOrEmpty(c.InputColumnName)))
            return "the forecast column names must not be empty";
        string? duplicate = Columns.Select(c => c.OutputColumnName).Append(ReferenceColumnName)
            .GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        return duplicate is null ? null : $"the column '{duplicate}' is named twice (outputs and the reference column must differ)";
    }
}
