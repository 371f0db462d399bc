using System.Globalization;

namespace StockSequence.Data;

/// <summary>
/// Reads daily price CSV files in the two usual layouts:
/// <c>Date,Open,High,Low,Close,Adj Close,Volume</c> with ISO dates (<c>2022-01-03</c>, a Yahoo Finance download) and
/// <c>Date,Open,High,Low,Close,Volume</c> with day-month-two-digit-year dates (<c>03-01-00</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Columns are found by header name (any order, any case; unknown columns are ignored). Date and Close are required.</item>
/// <item>Dates: <c>yyyy-MM-dd</c>, <c>dd-MM-yy</c> or <c>dd-MM-yyyy</c>. Two-digit years 00–49 are 2000–2049 and 50–99 are
/// 1950–1999. Slashed dates are refused: 03/01/00 is January 3rd in one country and March 1st in another.</item>
/// <item>Missing values — an empty cell, "null" (Yahoo's holidays), "NaN", "NA", "N/A" or "-" — are read as NaN and counted;
/// the window view then skips the windows that touch them.</item>
/// <item>Rows are sorted by date; a date that appears twice is an error naming both lines.</item>
/// <item>Blank lines are ignored; a byte-order mark, CRLF line ends, surrounding spaces and double quotes around a cell
/// are accepted.</item>
/// <item>Every other problem is a <see cref="CsvFormatException"/> with the line number.</item>
/// </list>
/// </remarks>
public static class DailyPriceCsv
{
    private static readonly string[] MissingMarkers = ["", "null", "nan", "na", "n/a", "-"];

    /// <summary>Reads a price file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The rows in date order and what was found.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CsvFormatException">The file is not a daily price CSV; the message has the line number.</exception>
    public static PriceTable Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no price file at '{path}'.", path);
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, Path.GetFileName(path));
    }

    /// <summary>Reads price CSV text.</summary>
    /// <param name="reader">The text, header first.</param>
    /// <param name="sourceName">How to name the source in error messages.</param>
    /// <returns>The rows in date order and what was found.</returns>
    /// <exception cref="CsvFormatException">The text is not a daily price CSV; the message has the line number.</exception>
    public static PriceTable Parse(TextReader reader, string sourceName = "price CSV")
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? header = reader.ReadLine();
        int lineNumber = 1;
        while (header is not null && string.IsNullOrWhiteSpace(header))
        {
            header = reader.ReadLine();
            lineNumber++;
        }

        if (header is null)
        {
            throw new CsvFormatException(sourceName, 0, "the file is empty; expected a header such as Date,Open,High,Low,Close,Volume.");
        }

        int headerLine = lineNumber;
        string[] names = Split(header.TrimStart('\uFEFF'));
        if (names.Length == 1 && OtherSeparator(header) is string separator)
        {
            throw new CsvFormatException(sourceName, headerLine, $"the header '{header}' is separated by {separator}, but this reader " +
                "expects commas (Date,Open,High,Low,Close,Volume) and '.' as the decimal point. Export the file with comma separators.");
        }

        int dateIndex = Array.FindIndex(names, n => n.Equals("Date", StringComparison.OrdinalIgnoreCase));
        if (dateIndex < 0)
        {
            throw new CsvFormatException(sourceName, headerLine, $"the header '{header}' has no Date column.");
        }

        var priceColumns = new List<(int Index, string Header, string Property)>();
        for (int i = 0; i < names.Length; i++)
        {
            var known = DailyPrice.Columns.FirstOrDefault(c =>
                c.Header.Replace(" ", "", StringComparison.Ordinal).Equals(names[i].Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
            if (known.Header is not null)
            {
                if (priceColumns.Any(p => p.Property == known.Property))
                {
                    throw new CsvFormatException(sourceName, headerLine, $"the header names column '{known.Header}' twice.");
                }

                priceColumns.Add((i, known.Header, known.Property));
            }
        }

        if (!priceColumns.Any(p => p.Property == nameof(DailyPrice.Close)))
        {
            throw new CsvFormatException(sourceName, headerLine, $"the header '{header}' has no Close column.");
        }

        var rows = new List<(DailyPrice Row, int Line)>();
        string? dateFormat = null;
        int missing = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] cells = Split(line);
            if (cells.Length != names.Length)
            {
                throw new CsvFormatException(sourceName, lineNumber, $"{cells.Length} fields, but the header has {names.Length}.");
            }

            var row = new DailyPrice { Date = ParseDate(cells[dateIndex], sourceName, lineNumber, out string format) };
            dateFormat ??= format;
            foreach (var (index, columnHeader, property) in priceColumns)
            {
                string cell = cells[index];
                if (MissingMarkers.Contains(cell.ToLowerInvariant()))
                {
                    missing++;
                    continue; // stays NaN
                }

                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    throw new CsvFormatException(sourceName, lineNumber, $"{columnHeader} '{cell}' is not a number.");
                }

                row.Set(property, value);
            }

            rows.Add((row, lineNumber));
        }

        if (rows.Count == 0)
        {
            throw new CsvFormatException(sourceName, 0, "the file has a header but no data rows.");
        }

        bool ascending = true;
        for (int i = 1; i < rows.Count && ascending; i++)
        {
            ascending = rows[i].Row.Date > rows[i - 1].Row.Date;
        }

        var sorted = ascending ? rows : rows.OrderBy(r => r.Row.Date).ToList(); // OrderBy is stable
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Row.Date == sorted[i - 1].Row.Date)
            {
                int first = Math.Min(sorted[i - 1].Line, sorted[i].Line);
                int second = Math.Max(sorted[i - 1].Line, sorted[i].Line);
                throw new CsvFormatException(sourceName, second,
                    $"the date {sorted[i].Row.Date:yyyy-MM-dd} appears twice (lines {first} and {second}).");
            }
        }

        return new PriceTable(
            sorted.Select(r => r.Row).ToList(),
            priceColumns.OrderBy(p => DailyPrice.Columns.ToList().FindIndex(c => c.Property == p.Property)).Select(p => p.Header).ToList(),
            dateFormat!,
            missing,
            WasSorted: !ascending);
    }

    /// <summary>The separator a one-column header seems to use instead of commas (spreadsheets in many languages write
    /// semicolons, because the comma is their decimal point), or null.</summary>
    private static string? OtherSeparator(string header) =>
        header.Contains(';', StringComparison.Ordinal) ? "semicolons" : header.Contains('\t', StringComparison.Ordinal) ? "tabs" : null;

    private static string[] Split(string line)
    {
        string[] cells = line.Split(',');
        for (int i = 0; i < cells.Length; i++)
        {
            string cell = cells[i].Trim();
            if (cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"')
            {
                cell = cell[1..^1].Trim();
            }

            cells[i] = cell;
        }

        return cells;
    }

    private static DateTime ParseDate(string text, string sourceName, int lineNumber, out string format)
    {
        var culture = CultureInfo.InvariantCulture;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", culture, DateTimeStyles.None, out var iso))
        {
            format = "yyyy-MM-dd";
            return iso;
        }

        if (DateTime.TryParseExact(text, "dd-MM-yyyy", culture, DateTimeStyles.None, out var full))
        {
            format = "dd-MM-yyyy";
            return full;
        }

        string[] parts = text.Split('-');
        if (parts.Length == 3 && parts.All(p => p.Length == 2 && p.All(char.IsAsciiDigit)))
        {
            int day = int.Parse(parts[0], culture);
            int month = int.Parse(parts[1], culture);
            int yy = int.Parse(parts[2], culture);
            int year = yy < 50 ? 2000 + yy : 1900 + yy;
            if (month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
            {
                format = "dd-MM-yy";
                return new DateTime(year, month, day);
            }
        }

        throw new CsvFormatException(sourceName, lineNumber,
            $"the date '{text}' is not yyyy-MM-dd (2022-01-03) or dd-MM-yy (03-01-00, day-month-year).");
    }
}
