namespace StockSequence.Data;

/// <summary>The series a run forecasts: the CSV given with <c>--csv</c>, or the generated one.</summary>
public static class PriceSeries
{
    /// <summary>Loads the series the options name.</summary>
    /// <param name="options">The parsed command line (its CSV path, column, days and seed).</param>
    /// <returns>The rows, oldest first, and where they came from in words.</returns>
    /// <exception cref="CsvFormatException">The CSV cannot be read.</exception>
    /// <exception cref="ArgumentException">The column is not in the file.</exception>
    public static (IReadOnlyList<DailyPrice> Rows, string Description) Load(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CsvPath is null)
        {
            var parameters = new SyntheticPriceParameters { Days = options.Days, Seed = options.Seed };
            return (SyntheticPriceSeries.Generate(parameters),
                $"generated series (AR(1)-GARCH(1,1) log returns, phi {parameters.ArCoefficient}, seed {parameters.Seed})");
        }

        PriceTable table = DailyPriceCsv.Read(options.CsvPath);
        if (!table.HasColumn(options.Column))
        {
            throw new ArgumentException(
                $"{Path.GetFileName(options.CsvPath)} has no '{options.Column}' column; it has {string.Join(", ", table.Columns)}.");
        }

        string notes = (table.MissingValues > 0 ? $", {table.MissingValues} missing values" : "") + (table.WasSorted ? ", sorted by date" : "");
        return (table.Rows, $"{Path.GetFileName(options.CsvPath)} (Date,{string.Join(",", table.Columns)}; dates {table.DateFormat}{notes})");
    }
}
