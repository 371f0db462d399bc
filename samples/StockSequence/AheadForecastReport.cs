using Microsoft.ML.Rnn;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>What an <see cref="AheadForecastRun"/> (<c>--ahead H</c>) found, for the console and for tests.</summary>
/// <param name="DataDescription">Where the prices came from.</param>
/// <param name="SeriesRows">Trading days in the series.</param>
/// <param name="Windows">The window pass (windows with H label days): produced and skipped.</param>
/// <param name="Split">How the windows were divided: training (validation among them), the gap of H − 1, the hold-out.</param>
/// <param name="OneDay">How the one-day network (N vs 1) of the recursive forecast trained.</param>
/// <param name="EncoderDecoder">How the encoder–decoder (N vs M) trained.</param>
/// <param name="Days">Per day ahead, then all days pooled: each forecaster's metrics (persistence, recursive, encoder–decoder).</param>
/// <param name="NextPaths">Per forecaster, its path of the H weekdays after the series' last day; empty when the last window
/// touches a missing value.</param>
/// <param name="MetricsCsvPath">The per-day metrics (CSV).</param>
/// <param name="PathsCsvPath">Every hold-out path (CSV).</param>
/// <param name="PathsPlotPath">The paths from a few hold-out origins against the actual prices (PNG).</param>
/// <param name="LossPlotPath">The encoder–decoder's loss per epoch (PNG).</param>
public sealed record AheadForecastReport(
    string DataDescription,
    long SeriesRows,
    SequenceWindowStatistics Windows,
    WindowSplit Split,
    RnnTrainingSummary OneDay,
    RnnTrainingSummary EncoderDecoder,
    IReadOnlyList<DayAheadMetrics> Days,
    IReadOnlyDictionary<string, IReadOnlyList<DatedForecast>> NextPaths,
    string MetricsCsvPath,
    string PathsCsvPath,
    string PathsPlotPath,
    string LossPlotPath);
