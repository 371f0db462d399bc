namespace Microsoft.ML.Rnn;

/// <summary>Which source row a pass-through column of a sequence window is copied from.</summary>
public enum PassThroughRow
{
    /// <summary>
    /// The row of the first label value, <see cref="SequenceWindowOptions.Horizon"/> steps after the window's last step:
    /// for a next-day forecast, the date of the day being forecast. For a window emitted by
    /// <see cref="SequenceWindowOptions.IncludeUnlabeledTail"/> whose label lies past the end of the series, the column holds
    /// the default value of its type.
    /// </summary>
    FirstLabelRow = 0,

    /// <summary>The window's last step: the last row the model sees.</summary>
    LastWindowRow = 1,
}
