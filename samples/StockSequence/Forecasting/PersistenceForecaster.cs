using Microsoft.ML;

namespace StockSequence.Forecasting;

/// <summary>"Tomorrow = today": the forecast is the window's last value. The bar every price model has to clear.</summary>
/// <param name="layout">Where the target is within the windows.</param>
public sealed class PersistenceForecaster(WindowLayout layout) : IForecaster
{
    /// <inheritdoc/>
    public string Name => "Persistence";

    /// <inheritdoc/>
    public void Fit(IDataView trainingWindows)
    {
    }

    /// <inheritdoc/>
    /// <remarks>Normalisation is linear in the price and the label shares the target feature's reference, so the last
    /// normalised value is the normalised forecast.</remarks>
    public float[] Predict(IDataView windows) =>
        WindowReader.Read(windows, dateColumn: null).Select(w => layout.TargetAt(w.Features, layout.WindowLength - 1)).ToArray();
}
