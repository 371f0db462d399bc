namespace StockSequence.Data;

/// <summary>A daily price file as read by <see cref="DailyPriceCsv"/>: its rows in date order and what was found on the way.</summary>
/// <param name="Rows">One row per day, sorted by date (ascending).</param>
/// <param name="Columns">The price columns the file has, as header names ("Open", …, "Adj Close", "Volume").</param>
/// <param name="DateFormat">The date format of the file: "yyyy-MM-dd" or "dd-MM-yy".</param>
/// <param name="MissingValues">Cells that were empty or "null" (read as NaN).</param>
/// <param name="WasSorted">True when the file was not in ascending date order and was sorted.</param>
public sealed record PriceTable(
    IReadOnlyList<DailyPrice> Rows,
    IReadOnlyList<string> Columns,
    string DateFormat,
    int MissingValues,
    bool WasSorted)
{
    /// <summary>True when the file has the column (header name, ignoring case and spaces).</summary>
    public bool HasColumn(string column) =>
        Columns.Any(c => DailyPrice.PropertyFor(c) == DailyPrice.PropertyFor(column));
}
