namespace StockSequence.Forecasting;

/// <summary>The shape of the windows the forecasters see.</summary>
/// <param name="WindowLength">Steps per window.</param>
/// <param name="FeaturesPerStep">Features per step (time-major order).</param>
/// <param name="TargetFeature">The index, within a step, of the feature that is the forecast target.</param>
public sealed record WindowLayout(int WindowLength, int FeaturesPerStep, int TargetFeature)
{
    /// <summary>The target feature's value at <paramref name="step"/> (0 = oldest) of a window's features.</summary>
    public float TargetAt(ReadOnlySpan<float> features, int step) => features[step * FeaturesPerStep + TargetFeature];
}
