using Microsoft.ML.Rnn;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>What a <see cref="StockForecastRun"/> found, for the console and for tests.</summary>
/// <param name="DataDescription">Where the prices came from.</param>
/// <param name="SeriesRows">Trading days in the series.</param>
/// <param name="Windows">The window pass: windows produced and skipped.</param>
/// <param name="TrainingWindows">Windows before the hold-out (the RNN's validation windows among them).</param>
/// <param name="HoldOutWindows">Windows in the hold-out (the last 15%).</param>
/// <param name="Rnn">How the recurrent network trained.</param>
/// <param name="Metrics">One row per forecaster, persistence first, the RNN last.</param>
/// <param name="UpMoveShare">The share of hold-out windows whose price went up (what always saying "up" scores).</param>
/// <param name="ModelPath">The saved RNN pipeline (<c>model.zip</c>).</param>
/// <param name="ReloadedModelMatches">True when the model loaded from <see cref="ModelPath"/> in a new MLContext gave exactly
/// the same hold-out forecasts as the model in memory.</param>
/// <param name="NextForecasts">Each forecaster's forecast past the end of the series, in prices; empty when the last window
/// touches a missing value.</param>
/// <param name="NextDays">The reloaded model's forecasts past the end of the series, dated on the weekdays that follow (exchange
/// holidays are not known): the next days one at a time (horizon 1), or the one day <c>--horizon</c> ahead; empty when the
/// last window touches a missing value.</param>
/// <param name="ForecastsCsvPath">The hold-out forecasts file.</param>
/// <param name="LossPlotPath">The loss curve (PNG).</param>
/// <param name="ForecastPlotPaths">Forecast vs actual on the hold-out, whole and its last days (PNG).</param>
/// <param name="WalkForward">The walk-forward folds over the training windows (<c>--folds</c>); empty without it.</param>
/// <param name="Interval">The RNN's hold-out intervals in prices (<c>--distribution</c> normal or studentt); null for a point
/// forecast.</param>
public sealed record StockForecastReport(
    string DataDescription,
    long SeriesRows,
    SequenceWindowStatistics Windows,
    long TrainingWindows,
    long HoldOutWindows,
    RnnTrainingSummary Rnn,
    IReadOnlyList<ForecastMetrics> Metrics,
    double UpMoveShare,
    string ModelPath,
    bool ReloadedModelMatches,
    IReadOnlyDictionary<string, double> NextForecasts,
    IReadOnlyList<DatedForecast> NextDays,
    string ForecastsCsvPath,
    string LossPlotPath,
    IReadOnlyList<string> ForecastPlotPaths,
    IReadOnlyList<WalkForwardFold> WalkForward,
    IntervalReport? Interval = null);
