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
/// <param name="Intervals">The encoder–decoder's hold-out intervals in prices, per day ahead and pooled; null for a point
/// forecast (<c>--distribution none</c>).</param>
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
    string LossPlotPath,
    AheadIntervalReport? Intervals = null);

/// <summary>The encoder–decoder's hold-out intervals: pooled over every origin and day, and day by day.</summary>
/// <param name="All">All days pooled, with the calibration (one factor for every day).</param>
/// <param name="Days">Per day ahead, day 1 first: coverage and mean width in prices.</param>
public sealed record AheadIntervalReport(IntervalReport All, IReadOnlyList<IntervalScore> Days);
