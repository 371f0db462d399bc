namespace StockSequence.Live;

/// <summary>
/// The live mode's stream input: each day becomes one value, its log return ln(p_t / p_(t-1)) divided by
/// <see cref="Scale"/>, the standard deviation of the training part's daily log returns (a typical day becomes about 1).
/// </summary>
/// <remarks>
/// The one-day run normalises each window relative to its own last value (p / p_last − 1): every window is rescaled when the
/// next day arrives, so the same day enters the network as a different number in every window. A streaming engine takes each
/// day once and carries its state, so its input must be fixed when the day arrives and must not depend on days still to come.
/// A log return needs only the day before it, is scale-free (a price of 10 or of 1000 gives the same inputs) and is
/// stationary enough to scale by one number fitted on the training part alone. Its inverse turns a forecast return back into a
/// price: p_(t+1) = p_t · exp(Scale · x̂).
/// </remarks>
/// <param name="Scale">The standard deviation of the training part's daily log returns (positive).</param>
public sealed record ScaledLogReturn(double Scale)
{
    /// <summary>Fits the scale to the training part's prices: the sample standard deviation (n − 1) of their log returns,
    /// leaving out the returns that touch a missing or non-positive price.</summary>
    /// <param name="trainingPrices">The training part's prices, oldest first.</param>
    /// <returns>The input; its scale is 1 when there are fewer than two returns or they do not vary.</returns>
    public static ScaledLogReturn FitTo(IReadOnlyList<double> trainingPrices)
    {
        ArgumentNullException.ThrowIfNull(trainingPrices);
        var returns = new List<double>();
        for (int t = 1; t < trainingPrices.Count; t++)
        {
            if (IsPrice(trainingPrices[t - 1]) && IsPrice(trainingPrices[t]))
            {
                returns.Add(Math.Log(trainingPrices[t] / trainingPrices[t - 1]));
            }
        }

        if (returns.Count < 2)
        {
            return new ScaledLogReturn(1);
        }

        double mean = returns.Average();
        double sd = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1));
        return new ScaledLogReturn(sd > 1e-12 && double.IsFinite(sd) ? sd : 1);
    }

    /// <summary>The day's input: ln(current / previous) / <see cref="Scale"/>; 0 (no change) when either price is missing or
    /// not positive, so a gap in the feed does not stop the stream (the engine refuses NaN).</summary>
    public float Encode(double previous, double current) =>
        IsPrice(previous) && IsPrice(current) ? (float)(Math.Log(current / previous) / Scale) : 0f;

    /// <summary>The inverse: the price a forecast scaled return <paramref name="scaled"/> gives after a day at
    /// <paramref name="last"/>, last · exp(Scale · scaled).</summary>
    public double Decode(double last, float scaled) => last * Math.Exp(Scale * scaled);

    /// <summary>Encodes a whole series: element t − 1 is day t's input (t = 1 … n − 1).</summary>
    public float[] EncodeSeries(IReadOnlyList<double> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var inputs = new float[Math.Max(0, prices.Count - 1)];
        for (int t = 1; t < prices.Count; t++)
        {
            inputs[t - 1] = Encode(prices[t - 1], prices[t]);
        }

        return inputs;
    }

    private static bool IsPrice(double p) => double.IsFinite(p) && p > 0;
}
