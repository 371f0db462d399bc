using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Rnn;
using StockSequence.Data;

namespace StockSequence.Live;

/// <summary>What a <c>--live</c> run found.</summary>
/// <param name="HoldOutDays">Days replayed one at a time (the hold-out of the one-day run).</param>
/// <param name="WarmUpTicks">Training days fed before the hold-out to warm the state.</param>
/// <param name="MedianMicroseconds">Median time of one <c>Predict</c> tick over the hold-out.</param>
/// <param name="LiveRmse">RMSE of the live forecasts on the hold-out, in prices.</param>
/// <param name="PersistenceRmse">RMSE of persistence (tomorrow = today) on the same days.</param>
/// <param name="NextDay">The forecast for the day after the series, from the last tick.</param>
public sealed record LiveReport(int HoldOutDays, long WarmUpTicks, double MedianMicroseconds, double LiveRmse, double PersistenceRmse, double NextDay);

/// <summary>
/// <c>--live</c>: the streaming engine wired to a feed. A network trained N vs N on the training part (see
/// <see cref="LiveForecaster"/>; the sample's default N vs 1 network has no per-step output and cannot stream) gets the
/// training days one at a time to warm its state, then the hold-out one day at a time, and each day's forecast of the next
/// day is printed as it arrives, as a price: p_t · exp(scale · score).
/// </summary>
/// <param name="options">The parsed command line.</param>
/// <param name="output">Where the lines go.</param>
public sealed class LiveReplay(SampleOptions options, TextWriter output)
{
    /// <summary>Days printed at each end of the hold-out with <c>--quick</c> (all of them otherwise).</summary>
    public const int QuickRows = 5;

    /// <summary>Runs the replay and prints it.</summary>
    /// <returns>What was found.</returns>
    public LiveReport Execute()
    {
        var mlContext = new MLContext(options.Seed);
        var (rows, description) = PriceSeries.Load(options);
        string target = DailyPrice.PropertyFor(options.Column);
        double[] raw = rows.Select(r => r.Get(target)).ToArray();
        double[] prices = ForwardFill(raw);
        int holdOut = HoldOutDays(rows.Count, options.Window);
        int first = rows.Count - holdOut; // the first hold-out day
        if (first < 4)
        {
            throw new InvalidOperationException($"The series has {rows.Count} days: too few for a training part and a hold-out.");
        }

        // The scale comes from the training part only; the hold-out is encoded with it, as a live feed would be.
        var input = ScaledLogReturn.FitTo(prices[..first]);
        float[] inputs = input.EncodeSeries(prices); // inputs[t - 1] arrives with day t
        output.WriteLine($"Live: {description}, {options.Column}; {rows.Count} days, the last {holdOut} replayed one at a time.");
        output.WriteLine($"Input per day: ln(p_t / p_t-1) / {input.Scale.ToString("0.######", CultureInfo.InvariantCulture)} " +
            "(the training part's daily log-return standard deviation); forecast = p_t * exp(scale * score).");

        var clock = Stopwatch.StartNew();
        LiveForecaster model = LiveForecaster.Train(mlContext, inputs[..(first - 1)], options);
        output.WriteLine($"Trained {RnnForecasterName()} N vs N (stateful, {model.Streams} stretches x chunks of {model.ChunkLength} days, " +
            $"{model.Rows} rows, {model.Network.TrainingHistory.Count} epochs) in {clock.Elapsed.TotalSeconds:0.0} s; " +
            "point forecasts (the streaming engine does not stream a distribution's interval yet).");

        RnnStreamingEngine engine = model.Network.CreateStreamingEngine();
        var score = new float[engine.OutputSize];
        for (int t = 1; t < first; t++)
        {
            engine.Predict(inputs.AsSpan(t - 1, 1), score);
        }

        output.WriteLine($"Warm-up: {engine.StepsSeen} training days fed (WarmUpSteps {engine.WarmUpSteps}); then one tick a day:");
        output.WriteLine($"{"date",-10}  {"actual",12}  {"forecast",12}  {"error",10}");
        var ticks = new double[holdOut];
        var liveErrors = new List<double>();
        var persistenceErrors = new List<double>();
        double forecast = input.Decode(prices[first - 1], score[0]);
        for (int t = first; t < rows.Count; t++)
        {
            // The forecast for day t was made when day t - 1 arrived; day t now arrives: score it, then feed it.
            if (double.IsFinite(raw[t]))
            {
                liveErrors.Add(forecast - raw[t]);
                persistenceErrors.Add(prices[t - 1] - raw[t]);
            }

            if (!options.Quick || t - first < QuickRows || rows.Count - t <= QuickRows)
            {
                output.WriteLine(Line(rows[t].Date, raw[t], forecast));
            }
            else if (t - first == QuickRows)
            {
                output.WriteLine("...");
            }

            long start = Stopwatch.GetTimestamp();
            engine.Predict(inputs.AsSpan(t - 1, 1), score);
            ticks[t - first] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            forecast = input.Decode(prices[t], score[0]);
        }

        var report = new LiveReport(holdOut, first - 1, Median(ticks), Rmse(liveErrors), Rmse(persistenceErrors), forecast);
        output.WriteLine($"Next day (after {rows[^1].Date:yyyy-MM-dd}): {forecast.ToString("0.####", CultureInfo.InvariantCulture)}");
        output.WriteLine($"Per tick: median {report.MedianMicroseconds.ToString("0.0", CultureInfo.InvariantCulture)} µs over {holdOut} ticks " +
            $"(StepsSeen {engine.StepsSeen}).");
        output.WriteLine($"Hold-out RMSE: live {F(report.LiveRmse)}, persistence {F(report.PersistenceRmse)} " +
            $"(ratio {(report.LiveRmse / report.PersistenceRmse).ToString("0.000", CultureInfo.InvariantCulture)}; below 1 beats tomorrow = today).");
        return report;
    }

    /// <summary>The hold-out of the one-day run: the last 15% of its windows, one day each (horizon 1).</summary>
    public static int HoldOutDays(int days, int window) =>
        (int)WindowSplit.Of(Math.Max(1, days - window), horizon: 1, validationFraction: 0).HoldOut;

    /// <summary>Carries the last good price over missing or non-positive ones (leading ones stay as they are).</summary>
    public static double[] ForwardFill(IReadOnlyList<double> prices)
    {
        var filled = prices.ToArray();
        for (int t = 1; t < filled.Length; t++)
        {
            if (!(double.IsFinite(filled[t]) && filled[t] > 0))
            {
                filled[t] = filled[t - 1];
            }
        }

        return filled;
    }

    private string RnnForecasterName() => $"{options.Cell.ToString().ToUpperInvariant()} {(options.Layers > 1 ? $"{options.Layers}x" : "")}{options.Hidden}";

    private static string Line(DateTime date, double actual, double forecast) => double.IsFinite(actual)
        ? $"{date:yyyy-MM-dd}  {F(actual),12}  {F(forecast),12}  {F(forecast - actual),10}"
        : $"{date:yyyy-MM-dd}  {"missing",12}  {F(forecast),12}  {"",10}";

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static double Rmse(List<double> errors) => errors.Count == 0 ? double.NaN : Math.Sqrt(errors.Average(e => e * e));

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        double[] sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
