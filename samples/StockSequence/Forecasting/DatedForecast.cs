namespace StockSequence.Forecasting;

/// <summary>A forecast price for one day.</summary>
/// <param name="Date">The day forecast.</param>
/// <param name="Price">The forecast price.</param>
public sealed record DatedForecast(DateTime Date, double Price);
