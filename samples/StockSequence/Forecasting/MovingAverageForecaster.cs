using Microsoft.ML;

namespace StockSequence.Forecasting;

/// <summary>The mean of the window's last <c>length</c> values.</summary>
public sealed class MovingAverageForecaster : IForecaster
{
    private readonly WindowLayout _layout;
    private readonly int _length;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="layout">Where the target is within the windows.</param>
    /// <param name="length">How many of the latest steps to average; capped at the window length.</param>
    public MovingAverageForecaster(WindowLayout layout, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _layout = layout;
        _length = Math.Min(length, layout.WindowLength);
    }

    /// <inheritdoc/>
    public string Name => $"Moving average ({_length})";

    /// <inheritdoc/>
    public void Fit(IDataView trainingWindows)
    {
    }

    /// <inheritdoc/>
    public float[] Predict(IDataView windows) => WindowReader.Read(windows, dateColumn: null).Select(w =>
    {
        double sum = 0;
        for (int step = _layout.WindowLength - _length; step < _layout.WindowLength; step++)
        {
            sum += _layout.TargetAt(w.Features, step);
        }

        return (float)(sum / _length);
    }).ToArray();
}
