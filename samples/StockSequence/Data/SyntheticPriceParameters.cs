namespace StockSequence.Data;

/// <summary>
/// Parameters of <see cref="SyntheticPriceSeries"/>. The defaults describe a liquid large-cap stock: about 7.5% drift and
/// 19% volatility a year, persistent volatility clusters, and a weak momentum (AR(1)) in daily returns.
/// </summary>
public sealed record SyntheticPriceParameters
{
    /// <summary>Trading days to generate; 4,000 (about 16 years) by default.</summary>
    public int Days { get; init; } = 4000;

    /// <summary>The seed of the random generator: the same seed gives the same series on every machine.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The first trading day (moved forward to a weekday).</summary>
    public DateTime StartDate { get; init; } = new(2008, 1, 2);

    /// <summary>The first close.</summary>
    public double StartPrice { get; init; } = 100;

    /// <summary>mu: the mean daily log return; 0.0003 (about 7.5% a year).</summary>
    public double DailyDrift { get; init; } = 0.0003;

    /// <summary>phi: the AR(1) coefficient of daily returns, the predictable part; 0.2 (|phi| &lt; 1).</summary>
    public double ArCoefficient { get; init; } = 0.2;

    /// <summary>The long-run daily volatility; 0.012 (about 19% a year).</summary>
    public double LongRunDailyVolatility { get; init; } = 0.012;

    /// <summary>alpha: how strongly yesterday's shock raises today's variance; 0.08.</summary>
    public double GarchAlpha { get; init; } = 0.08;

    /// <summary>beta: how long volatility persists; 0.90 (alpha + beta &lt; 1 keeps variance finite).</summary>
    public double GarchBeta { get; init; } = 0.90;

    /// <summary>The typical daily volume.</summary>
    public double TypicalVolume { get; init; } = 5_000_000;

    internal void Validate()
    {
        if (Days < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Days), Days, "At least one day.");
        }

        if (Math.Abs(ArCoefficient) >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ArCoefficient), ArCoefficient, "|phi| must be below 1 for a stationary AR(1).");
        }

        if (GarchAlpha < 0 || GarchBeta < 0 || GarchAlpha + GarchBeta >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GarchAlpha), "alpha and beta must be non-negative with alpha + beta < 1.");
        }

        if (StartPrice <= 0 || LongRunDailyVolatility <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StartPrice), "The start price and the volatility must be positive.");
        }
    }
}
