namespace StockSequence;

/// <summary>A command line that cannot be understood; the message says which option and why.</summary>
/// <param name="message">What is wrong.</param>
public sealed class SampleOptionsException(string message) : Exception(message);
