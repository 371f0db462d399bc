using Microsoft.ML.Rnn;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>What a <see cref="StockForecastRun"/> found, for the console and for tests.</summary>
/// <param name="DataDescription">Where the prices came from.</param>
/// <param name="SeriesRows">Trading days in the series.</param>
/// <param name="Windows">The window pass: windows produced and skipped.</param>
/// <param name="TrainingWindows">Windows before the hold-out.</param>
/// <param name="HoldOutWindows">Windows in the hold-out (the last 15%).</param>
/// <param name="Metrics">One row per forecaster, persistence first.</param>
/// <param name="UpMoveShare">The share of hold-out windows whose price went up (what always saying "up" scores).</param>
/// <param name="ForecastsCsvPath">The hold-out forecasts file.</param>
/// <param name="NextForecasts">Each forecaster's forecast past the end of the series, in prices; empty when the last window
/// touches a missing value.</param>
public sealed record StockForecastReport(
    string DataDescription,
    long SeriesRows,
    SequenceWindowStatistics Windows,
    long TrainingWindows,
    long HoldOutWindows,
    IReadOnlyList<ForecastMetrics> Metrics,
    double UpMoveShare,
    string ForecastsCsvPath,
    IReadOnlyDictionary<string, double> NextForecasts);
