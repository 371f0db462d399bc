namespace Microsoft.ML.Rnn;

/// <summary>
/// How <see cref="SequenceWindowCatalog.CreateSequenceWindows(DataOperationsCatalog, IDataView, SequenceWindowOptions)"/>
/// rescales each window before it reaches a model.
/// </summary>
/// <remarks>
/// Both relative kinds map a value <c>p</c> to <c>p / p_ref - 1</c>, where <c>p_ref</c> is the same feature's value at the
/// reference step of the same window; the label uses the target column's value at that step. The target's reference value is
/// written to <see cref="SequenceWindowOptions.ReferenceColumnName"/> so that a prediction can be mapped back to the original
/// scale with <see cref="SequenceWindowNormalizer.Denormalize(float, float)"/>: <c>p = p_ref * (1 + y)</c>.
/// A window whose reference value is zero (the ratio is undefined) is skipped and counted.
/// </remarks>
public enum SequenceWindowNormalization
{
    /// <summary>Values pass through unchanged (Double is converted to Single); no reference column is produced.</summary>
    None = 0,

    /// <summary>
    /// Relative to the window's first step: <c>p / p_first - 1</c>. This is the per-window normalisation of the widely copied
    /// Keras LSTM stock tutorial; every window starts at 0.
    /// </summary>
    RelativeToFirst = 1,

    /// <summary>
    /// Relative to the window's last step: <c>p / p_last - 1</c>. The label becomes the return from the last observed value,
    /// so "tomorrow = today" (persistence) predicts exactly 0.
    /// </summary>
    RelativeToLast = 2,
}
