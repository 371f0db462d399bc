namespace StockSequence.Data;

/// <summary>A price file that cannot be read, with the line the problem is on (1 is the header).</summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file name or other source description.</param>
    /// <param name="lineNumber">The 1-based line number, or 0 when the problem is not on one line.</param>
    /// <param name="problem">What is wrong.</param>
    public CsvFormatException(string source, int lineNumber, string problem)
        : base(lineNumber > 0 ? $"{source}, line {lineNumber}: {problem}" : $"{source}: {problem}")
    {
        SourceName = source;
        LineNumber = lineNumber;
    }

    /// <summary>The file name or other source description.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line number (the header is line 1), or 0 when the problem is not on one line.</summary>
    public int LineNumber { get; }
}
