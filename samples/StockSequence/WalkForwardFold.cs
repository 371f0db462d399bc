using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>One fold of the walk-forward report: a network trained on the training windows before a block, scored on it.</summary>
/// <param name="Index">The fold, 0 first (the earliest block).</param>
/// <param name="TrainingWindows">The windows before the block it trained on (validation windows among them).</param>
/// <param name="First">The date forecast by the block's first window.</param>
/// <param name="Last">The date forecast by its last window.</param>
/// <param name="Metrics">Its forecasts' metrics on the block, in prices.</param>
public sealed record WalkForwardFold(int Index, long TrainingWindows, DateTime First, DateTime Last, ForecastMetrics Metrics);
