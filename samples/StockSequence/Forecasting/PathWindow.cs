namespace StockSequence.Forecasting;

/// <summary>One window with a label of several days (<c>LabelSteps</c> H), in memory.</summary>
/// <param name="Features">The time-major features (normalised as the windows are).</param>
/// <param name="Labels">The next H values of the target, day 1 first (normalised like the features, against the same
/// reference).</param>
/// <param name="Reference">The normalisation reference (the target's price at the reference step), NaN when not normalised.</param>
/// <param name="Date">The pass-through date: the window's last day, the origin of the forecast.</param>
public sealed record PathWindow(float[] Features, float[] Labels, float Reference, DateTime Date);
