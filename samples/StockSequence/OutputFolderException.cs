namespace StockSequence;

/// <summary>The <c>--out</c> folder cannot hold the results; the message says why and what to do.</summary>
/// <param name="message">What is wrong, in one line.</param>
public sealed class OutputFolderException(string message) : Exception(message);
