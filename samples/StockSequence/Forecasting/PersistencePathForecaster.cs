namespace StockSequence.Forecasting;

/// <summary>"Every coming day = today": the window's last value for all H days. The bar for every day ahead.</summary>
/// <param name="layout">Where the target is within the windows.</param>
/// <param name="steps">Days forecast per window (H).</param>
public sealed class PersistencePathForecaster(WindowLayout layout, int steps) : IPathForecaster
{
    /// <inheritdoc/>
    public string Name => "Persistence";

    /// <inheritdoc/>
    public int Steps => steps;

    /// <inheritdoc/>
    public void Fit(IReadOnlyList<PathWindow> trainingWindows)
    {
    }

    /// <inheritdoc/>
    public float[][] Predict(IReadOnlyList<PathWindow> windows) =>
        windows.Select(w => Enumerable.Repeat(layout.TargetAt(w.Features, layout.WindowLength - 1), steps).ToArray()).ToArray();
}
