using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>How a network's hold-out intervals did, in prices, and how they were calibrated.</summary>
/// <param name="Model">The network's name.</param>
/// <param name="Distribution">The distribution it predicts ("Student-t" or "Normal").</param>
/// <param name="ConfidenceLevel">The intervals' nominal probability (0.95).</param>
/// <param name="Score">Coverage and mean width on the hold-out, in prices.</param>
/// <param name="CalibrationFactor">The split-conformal factor found on the validation windows (the scales were multiplied
/// by it), or null when nothing was calibrated (no validation windows).</param>
/// <param name="ValidationWindows">The windows it was calibrated on (the latest training windows, before the hold-out).</param>
/// <param name="FanChartPath">The fan chart over the hold-out (PNG), or null when none was drawn.</param>
public sealed record IntervalReport(
    string Model,
    string Distribution,
    double ConfidenceLevel,
    IntervalScore Score,
    float? CalibrationFactor,
    long ValidationWindows,
    string? FanChartPath)
{
    /// <summary>Whether the intervals were calibrated, in plain words: on what, with which factor, and that the hold-out
    /// played no part.</summary>
    public string CalibrationText => CalibrationFactor is float f
        ? $"calibrated: split-conformal on the {ValidationWindows} validation windows (the latest training windows, before the hold-out), " +
          $"every predicted scale multiplied by {f.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}; the hold-out played no part"
        : "NOT calibrated: there were no validation windows to calibrate on (--patience 0 trains on all of them), so the interval is the " +
          "network's own and may be too narrow or too wide";
}
