namespace StockSequence.Data;

/// <summary>
/// One trading day of a price file, as an ML.NET row (<c>LoadFromEnumerable</c>). A missing value is NaN;
/// <see cref="AdjClose"/> is NaN throughout for files without an "Adj Close" column.
/// </summary>
public sealed class DailyPrice
{
    /// <summary>The trading day.</summary>
    public DateTime Date { get; set; }

    /// <summary>The opening price.</summary>
    public double Open { get; set; } = double.NaN;

    /// <summary>The day's highest price.</summary>
    public double High { get; set; } = double.NaN;

    /// <summary>The day's lowest price.</summary>
    public double Low { get; set; } = double.NaN;

    /// <summary>The closing price.</summary>
    public double Close { get; set; } = double.NaN;

    /// <summary>The close adjusted for splits and dividends (Yahoo Finance's "Adj Close").</summary>
    public double AdjClose { get; set; } = double.NaN;

    /// <summary>The number of shares (or index units) traded.</summary>
    public double Volume { get; set; } = double.NaN;

    /// <summary>The price columns by their CSV header name, with the property (ML.NET column) each is read into.</summary>
    public static IReadOnlyList<(string Header, string Property)> Columns { get; } =
    [
        ("Open", nameof(Open)),
        ("High", nameof(High)),
        ("Low", nameof(Low)),
        ("Close", nameof(Close)),
        ("Adj Close", nameof(AdjClose)),
        ("Volume", nameof(Volume)),
    ];

    /// <summary>
    /// The ML.NET column (property name) for a price column named as in a CSV header or as the property, ignoring case and
    /// spaces: "Close", "adj close", "AdjClose".
    /// </summary>
    /// <exception cref="ArgumentException">No such column; the message lists the ones there are.</exception>
    public static string PropertyFor(string column) =>
        FindProperty(column) ?? throw new ArgumentException(
            $"There is no price column '{column}'; choose one of {string.Join(", ", Columns.Select(c => c.Header))}.", nameof(column));

    /// <summary>The ML.NET column (property name) for a price column named as <see cref="PropertyFor"/> takes it, or null.</summary>
    public static string? FindProperty(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        static string Key(string s) => s.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        return Columns.Where(c => Key(c.Header) == Key(column)).Select(c => c.Property).FirstOrDefault();
    }

    /// <summary>The value of the column with the given property name (as <see cref="PropertyFor"/> returns it).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a price column.</exception>
    public double Get(string property) => property switch
    {
        nameof(Open) => Open,
        nameof(High) => High,
        nameof(Low) => Low,
        nameof(Close) => Close,
        nameof(AdjClose) => AdjClose,
        nameof(Volume) => Volume,
        _ => throw new ArgumentOutOfRangeException(nameof(property), property, "Not a price column."),
    };

    /// <summary>Sets the value of the column with the given property name.</summary>
    internal void Set(string property, double value)
    {
        switch (property)
        {
            case nameof(Open): Open = value; break;
            case nameof(High): High = value; break;
            case nameof(Low): Low = value; break;
            case nameof(Close): Close = value; break;
            case nameof(AdjClose): AdjClose = value; break;
            case nameof(Volume): Volume = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(property), property, "Not a price column.");
        }
    }
}
