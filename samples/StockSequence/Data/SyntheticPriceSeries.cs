namespace StockSequence.Data;

/// <summary>
/// A seeded, realistic daily price series, so the sample runs with no files and the same seed always gives the same prices.
/// </summary>
/// <remarks>
/// <para>The model. Daily log returns follow an AR(1)–GARCH(1,1) process, the textbook description of stock returns:
/// <code>
/// r_t       = mu + phi * (r_{t-1} - mu) + eps_t,          eps_t = sigma_t * z_t,  z_t ~ N(0, 1)
/// sigma_t^2 = omega + alpha * eps_{t-1}^2 + beta * sigma_{t-1}^2,   omega = longRunVol^2 * (1 - alpha - beta)
/// Close_t   = Close_{t-1} * exp(r_t)
/// </code>
/// Without <c>phi</c> and GARCH this is geometric Brownian motion. GARCH makes calm and turbulent periods (volatility
/// clustering, fat tails). The small AR(1) coefficient <c>phi</c> is the only predictable part: the best possible one-step
/// forecast of the return explains only about phi² of its variance (4% for phi = 0.2), so a model can beat
/// "tomorrow = today", but only by a little and only if it finds that structure.</para>
/// <para>Open, High, Low and Volume are plausible decorations around Close (an overnight gap, an intraday range and a
/// volume that rises with the size of the move); they carry no extra predictable signal. Trading days are Monday to Friday,
/// without holidays. Prices are rounded to cents, as in real files.</para>
/// </remarks>
public static class SyntheticPriceSeries
{
    /// <summary>Generates the series.</summary>
    /// <param name="parameters">Length, seed and process parameters; <see cref="SyntheticPriceParameters"/> documents each.</param>
    /// <returns>One row per trading day, in date order.</returns>
    public static IReadOnlyList<DailyPrice> Generate(SyntheticPriceParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        var random = new Random(parameters.Seed);
        double Normal() => Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

        double mu = parameters.DailyDrift;
        double phi = parameters.ArCoefficient;
        double alpha = parameters.GarchAlpha;
        double beta = parameters.GarchBeta;
        double longRunVariance = parameters.LongRunDailyVolatility * parameters.LongRunDailyVolatility;
        double omega = longRunVariance * (1 - alpha - beta);

        var rows = new List<DailyPrice>(parameters.Days);
        double variance = longRunVariance;
        double previousReturn = mu;
        double previousShock = 0;
        double close = parameters.StartPrice;
        DateTime date = NextTradingDay(parameters.StartDate.AddDays(-1));
        for (int day = 0; day < parameters.Days; day++)
        {
            double previousClose = close;
            double shock = 0;
            if (day > 0)
            {
                variance = omega + alpha * previousShock * previousShock + beta * variance;
                shock = Math.Sqrt(variance) * Normal();
                double r = mu + phi * (previousReturn - mu) + shock;
                close = previousClose * Math.Exp(r);
                previousReturn = r;
                previousShock = shock;
            }

            double sigma = Math.Sqrt(variance);
            double open = previousClose * Math.Exp(0.2 * sigma * Normal());
            double high = Math.Max(open, close) * Math.Exp(Math.Abs(0.5 * sigma * Normal()));
            double low = Math.Min(open, close) * Math.Exp(-Math.Abs(0.5 * sigma * Normal()));
            double volume = parameters.TypicalVolume * Math.Exp(0.3 * Normal()) * (1 + 25 * Math.Abs(shock));
            rows.Add(new DailyPrice
            {
                Date = date,
                Open = Cents(open),
                High = Cents(high),
                Low = Cents(low),
                Close = Cents(close),
                AdjClose = Cents(close),
                Volume = Math.Round(volume),
            });
            date = NextTradingDay(date);
        }

        return rows;
    }

    private static double Cents(double price) => Math.Round(price, 2, MidpointRounding.AwayFromZero);

    private static DateTime NextTradingDay(DateTime date)
    {
        do
        {
            date = date.AddDays(1);
        }
        while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);

        return date;
    }
}
