namespace Microsoft.ML.Rnn;

/// <summary>Rows left out of training or validation, by reason (ML.NET skips such rows and counts them).</summary>
/// <param name="Read">Rows read.</param>
/// <param name="NonFinite">Rows whose features or label held NaN or ±Infinity.</param>
/// <param name="Empty">Rows with zero steps.</param>
/// <param name="MissingLabel">Rows whose key label was missing (key value 0).</param>
/// <param name="BadWeight">Rows whose example weight was NaN, negative or infinite.</param>
internal readonly record struct RnnSkipCounts(long Read, long NonFinite, long Empty, long MissingLabel, long BadWeight = 0)
{
    /// <summary>Rows skipped for any reason.</summary>
    public long Total => NonFinite + Empty + MissingLabel + BadWeight;

    /// <summary>A sentence for the log.</summary>
    public string Describe(string role) =>
        $"Skipped {Total} of {Read} {role} rows: {NonFinite} with NaN or infinite features or label, {Empty} with zero steps, {MissingLabel} with a missing label" +
        (BadWeight > 0 ? $", {BadWeight} with a NaN, negative or infinite example weight." : ".");
}
