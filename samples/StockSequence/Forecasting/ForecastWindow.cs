namespace StockSequence.Forecasting;

/// <summary>One window in memory.</summary>
/// <param name="Features">The time-major features (normalised as the windows are).</param>
/// <param name="Label">The label (normalised), NaN when it lies past the end of the series.</param>
/// <param name="Reference">The normalisation reference (the target's price at the reference step), NaN when not normalised.</param>
/// <param name="Date">The pass-through date (of the label row).</param>
public sealed record ForecastWindow(float[] Features, float Label, float Reference, DateTime Date);
