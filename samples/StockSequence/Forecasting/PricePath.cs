namespace StockSequence.Forecasting;

/// <summary>One forecast of the next days in prices, from one origin (the last day a window saw).</summary>
/// <param name="Origin">The window's last day.</param>
/// <param name="OriginPrice">The price on that day (where the path starts).</param>
/// <param name="Dates">The days forecast, day 1 first.</param>
/// <param name="Prices">The forecast prices, one per day.</param>
public sealed record PricePath(DateTime Origin, double OriginPrice, IReadOnlyList<DateTime> Dates, IReadOnlyList<double> Prices);
