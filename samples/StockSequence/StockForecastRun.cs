using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Rnn;
using Spectre.Console;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// The sample's flow: load the prices → cut them into windows → split off the last 15% of windows (chronologically) → fit the
/// baselines and the RNN on the rest (the RNN with a progress display) → forecast the hold-out and score every forecaster in
/// prices → save the RNN, reload it in a new MLContext, check it and forecast past the end → plots and report.
/// </summary>
/// <param name="options">The parsed command line.</param>
/// <param name="output">Where the report goes.</param>
public sealed class StockForecastRun(SampleOptions options, TextWriter output)
{
    /// <summary>The share of windows, at the end, held out for evaluation.</summary>
    public const double HoldOutFraction = 0.15;

    /// <summary>The moving-average baseline's length in steps.</summary>
    public const int MovingAverageLength = 5;

    private const string DateColumn = nameof(DailyPrice.Date);

    /// <summary>The share of the training windows, at their end, that validate the RNN for early stopping.</summary>
    public const double ValidationFraction = 0.10;

    /// <summary>How many days past the end of the series the reloaded model forecasts, one at a time (horizon 1), dated on
    /// the weekdays that follow.</summary>
    public const int DaysAhead = 5;

    /// <summary>The days at the end of the hold-out shown in the closer forecast plot.</summary>
    public const int RecentDays = 60;

    /// <summary>Runs the whole flow and writes the report.</summary>
    /// <returns>What was found.</returns>
    /// <exception cref="CsvFormatException">The CSV cannot be read.</exception>
    /// <exception cref="ArgumentException">The column is unknown or not in the file.</exception>
    /// <exception cref="InvalidOperationException">The series is too short for the windows and a hold-out.</exception>
    /// <exception cref="OutputFolderException">The output folder cannot take the results (checked before training).</exception>
    public StockForecastReport Execute()
    {
        OutputFolder.Prepare(options.OutputDirectory);
        var mlContext = new MLContext(options.Seed);

        var (rows, description) = PriceSeries.Load(options);
        string target = DailyPrice.PropertyFor(options.Column);
        IDataView series = mlContext.Data.LoadFromEnumerable(rows);

        double validationFraction = options.Patience > 0 ? ValidationFraction : 0;
        long minimumWindows = WindowSplit.MinimumWindows(options.Horizon, validationFraction);
        CheckLength(rows.Count, minimumWindows);
        SequenceWindowDataView windows = mlContext.Data.CreateSequenceWindows(series, WindowOptions(target, forecasting: false));
        SequenceWindowStatistics counts = windows.CountWindows();
        long total = counts.WindowsProduced;
        // With a horizon h > 1, the last h - 1 training windows would have labels later than the first hold-out window's
        // last day: a peek at the hold-out period. They are left out (a gap, or "embargo", between training and hold-out).
        WindowSplit split = WindowSplit.Of(total, options.Horizon, validationFraction);
        if (!split.IsWorkable)
        {
            throw new InvalidOperationException(
                $"Only {total} windows of {options.Window} days ({counts.WindowsSkipped} skipped for touching missing values): a run " +
                $"needs at least {minimumWindows}. Use a longer series or a shorter --window.");
        }

        long trainingCount = split.Training, holdOut = split.HoldOut;
        IDataView training = mlContext.Data.TakeRows(windows, trainingCount);
        IDataView test = mlContext.Data.SkipRows(windows, total - holdOut);
        List<ForecastWindow> testWindows = WindowReader.Read(test, DateColumn);
        var writer = new ReportWriter(options, output);
        writer.WriteSetup(description, rows, counts, trainingCount, testWindows, split.Validation);

        var layout = new WindowLayout(options.Window, windows.FeaturesPerStep, TargetFeature: 0);
        var progress = new EpochProgress(CreateConsole(output), options.Epochs);
        var rnn = new RnnForecaster(mlContext, RnnOptions(windows.FeaturesPerStep, progress), validationFraction);
        IForecaster[] forecasters =
        [
            new PersistenceForecaster(layout),
            new MovingAverageForecaster(layout, MovingAverageLength),
            new LinearForecaster(mlContext),
            rnn,
        ];

        double[] actual = testWindows.Select(w => Price(w.Label, w.Reference)).ToArray();
        double[] last = testWindows.Select(w => Price(layout.TargetAt(w.Features, options.Window - 1), w.Reference)).ToArray();
        foreach (var baseline in forecasters.Where(f => f != rnn))
        {
            baseline.Fit(training);
        }

        var clock = Stopwatch.StartNew();
        progress.Run($"Training {rnn.Name}", () => rnn.Fit(training));
        RnnTrainingSummary summary = Summarize(rnn, clock.Elapsed.TotalSeconds);

        var forecasts = new Dictionary<string, double[]>();
        var metrics = new List<ForecastMetrics>();
        float[] rnnScores = rnn.Predict(test);
        foreach (var forecaster in forecasters)
        {
            float[] predicted = forecaster == rnn ? rnnScores : forecaster.Predict(test);
            forecasts[forecaster.Name] = predicted.Zip(testWindows, (p, w) => Price(p, w.Reference)).ToArray();
            metrics.Add(ForecastMetrics.Compute(forecaster.Name, actual, forecasts[forecaster.Name], last, options.Horizon));
        }

        IntervalReport? interval = null;
        PriceInterval[]? bounds = null;
        if (rnn.HasIntervals)
        {
            // Each interval mapped to prices as its window's point forecast is (NormalizedInterval.ToPrices).
            bounds = rnn.PredictIntervals(test).Select((b, i) => b.ToPrices(testWindows[i].Reference, options.Normalization)).ToArray();
            string fanChart = OutputPath("holdout-interval.png");
            string level = ResultsTable.Percent(SampleOptions.ConfidenceLevel, "0");
            ForecastPlots.WriteFanChart($"{options.Column} on the hold-out: the {rnn.Name}'s forecast for {writer.HorizonText} and its {level} {options.DistributionName} interval",
                $"{options.Column} (price)", testWindows.Select(w => w.Date).ToList(), actual, (rnn.Name, forecasts[rnn.Name]), bounds, $"{level} interval", fanChart);
            interval = new IntervalReport(rnn.Name, options.DistributionName, SampleOptions.ConfidenceLevel, IntervalScore.Compute(actual, bounds),
                rnn.CalibrationFactor, rnn.ValidationRows, fanChart);
        }

        var (modelPath, reloadedMatches, nextDays) = SaveAndReload(mlContext, rnn.Model!, training.Schema, test, rnnScores, rows, target);
        string csvPath = WriteForecasts(testWindows, actual, last, forecasts, bounds is null ? null : (rnn.Name, bounds));
        string lossPlot = OutputPath("loss.png");
        ForecastPlots.WriteLossCurve(summary.History, summary.KeptEpoch, lossPlot, ForecastPlots.LossUnits(options.Distribution));
        string[] forecastPlots = WriteForecastPlots(writer.HorizonText, testWindows, actual, ("Persistence", last), (rnn.Name, forecasts[rnn.Name]));

        var next = ForecastPastTheEnd(mlContext, series, target, forecasters, rows[^1].Date);
        List<WalkForwardFold> walkForward = options.Folds > 0 ? WalkForward(mlContext, training, layout, validationFraction) : [];
        double upShare = actual.Zip(last, (a, l) => a > l ? 1.0 : 0.0).Average();
        var report = new StockForecastReport(description, rows.Count, counts, trainingCount, holdOut, summary, metrics, upShare,
            modelPath, reloadedMatches, next, nextDays, csvPath, lossPlot, forecastPlots, walkForward, interval);
        writer.WriteResults(report, rows, target, BestPossibleSkill());
        return report;
    }

    /// <summary>
    /// Refuses, with the largest window that would do, a series too short for <paramref name="minimumWindows"/> windows
    /// even before any is skipped for a missing value.
    /// </summary>
    private void CheckLength(int days, long minimumWindows)
    {
        long largestWindow = days - options.Horizon + 1 - minimumWindows;
        if (largestWindow >= options.Window)
        {
            return;
        }

        string need = $"The series has {days} days: too few for windows of {options.Window} days (a run needs {minimumWindows} windows, " +
            $"so {options.Window + options.Horizon - 1 + minimumWindows} days). ";
        throw new InvalidOperationException(largestWindow >= 1
            ? need + $"Use --window N with N < {largestWindow + 1}, or a longer series."
            : need + $"Use a longer series: even --window 1 needs {options.Horizon + minimumWindows} days.");
    }

    /// <summary>
    /// Saves the RNN as <c>model.zip</c>, loads it in a new MLContext (as an application with only the file would), checks
    /// that it scores the hold-out exactly as the model in memory did, and forecasts past the end of the series with it.
    /// </summary>
    private (string Path, bool ReloadedMatches, IReadOnlyList<DatedForecast> NextDays) SaveAndReload(MLContext mlContext,
        ITransformer model, DataViewSchema schema, IDataView test, float[] scores, IReadOnlyList<DailyPrice> rows, string target)
    {
        string path = OutputPath("model.zip");
        mlContext.Model.Save(model, schema, path);
        using var saved = new SavedModelForecaster(path, options.Window, options.Normalization);
        return (path, saved.Score(test).SequenceEqual(scores), ForecastDaysAhead(saved, rows, target));
    }

    /// <summary>Forecast vs actual over the whole hold-out, and over its last <see cref="RecentDays"/> days, where the lines
    /// can be told apart.</summary>
    private string[] WriteForecastPlots(string horizon, List<ForecastWindow> windows, double[] actual,
        (string Name, double[] Values) baseline, (string Name, double[] Values) model)
    {
        string whole = OutputPath("holdout-forecast.png"), recent = OutputPath("holdout-forecast-recent.png");
        string value = $"{options.Column} (price)";
        ForecastPlots.WriteForecastVsActual($"{options.Column} on the hold-out: forecasts for {horizon} vs actual", value,
            windows.Select(w => w.Date).ToList(), actual, baseline, model, whole);
        int skip = Math.Max(0, windows.Count - RecentDays);
        ForecastPlots.WriteForecastVsActual($"{options.Column}, the last {windows.Count - skip} days of the hold-out: forecasts for {horizon} vs actual",
            value, windows.Skip(skip).Select(w => w.Date).ToList(), actual[skip..],
            (baseline.Name, baseline.Values[skip..]), (model.Name, model.Values[skip..]), recent);
        return [whole, recent];
    }

    /// <summary>
    /// Walk-forward (rolling origin) over the training windows: <c>TimeSeriesSplit</c> cuts their end into consecutive blocks,
    /// and each is scored by a new network trained only on the windows before it, so the hold-out stays unseen and the spread
    /// of the folds shows how much one block's skill says. The gap of horizon − 1 windows keeps training labels before the block.
    /// </summary>
    private List<WalkForwardFold> WalkForward(MLContext mlContext, IDataView training, WindowLayout layout, double validationFraction)
    {
        var folds = new List<WalkForwardFold>();
        foreach (TimeSeriesFold fold in mlContext.Data.TimeSeriesSplit(training, options.Folds, gap: options.Horizon - 1))
        {
            var rnn = new RnnForecaster(mlContext, RnnOptions(layout.FeaturesPerStep, progress: null), validationFraction);
            rnn.Fit(fold.TrainSet);
            List<ForecastWindow> windows = WindowReader.Read(fold.TestSet, DateColumn);
            double[] actual = windows.Select(w => Price(w.Label, w.Reference)).ToArray();
            double[] last = windows.Select(w => Price(layout.TargetAt(w.Features, options.Window - 1), w.Reference)).ToArray();
            double[] forecast = rnn.Predict(fold.TestSet).Zip(windows, (p, w) => Price(p, w.Reference)).ToArray();
            folds.Add(new WalkForwardFold(fold.Index, fold.TrainRowCount, windows[0].Date, windows[^1].Date,
                ForecastMetrics.Compute(rnn.Name, actual, forecast, last, options.Horizon)));
        }

        return folds;
    }

    /// <summary>The trainer's options: the network from the command line, N vs 1 regression of the next value.</summary>
    private RnnTrainer.Options RnnOptions(int inputSize, EpochProgress? progress) => new()
    {
        InputSize = inputSize,
        Cell = options.Cell,
        HiddenSize = options.Hidden,
        NumberOfLayers = options.Layers,
        Head = RnnHead.ManyToOne,
        MaxEpochs = options.Epochs,
        EarlyStoppingPatience = options.Patience,
        Distribution = options.Distribution,
        ConfidenceLevel = SampleOptions.ConfidenceLevel,
        OnEpochEnd = progress is null ? null : progress.Report,
    };

    private RnnTrainingSummary Summarize(RnnForecaster rnn, double seconds)
    {
        IReadOnlyList<RnnEpochReport> history = rnn.Network!.TrainingHistory;
        int kept = options.Patience > 0 ? history.MinBy(e => e.ValidationLoss ?? e.TrainLoss)!.Epoch : history[^1].Epoch;
        return new RnnTrainingSummary(rnn.Name, history, kept, history.Count < options.Epochs, rnn.TrainingRows, rnn.ValidationRows, rnn.FeatureScale, seconds);
    }

    /// <summary>The reloaded model's forecasts past the last day, dated on weekdays: the next days one at a time for horizon 1,
    /// else the one day the horizon reaches. Empty when the last window has a missing price.</summary>
    private List<DatedForecast> ForecastDaysAhead(SavedModelForecaster saved, IReadOnlyList<DailyPrice> rows, string target)
    {
        double[] prices = rows.Select(r => r.Get(target)).ToArray();
        if (prices[^options.Window..].Any(p => !double.IsFinite(p) || p <= 0))
        {
            return [];
        }

        DateTime lastDate = rows[^1].Date;
        if (options.Horizon > 1)
        {
            return [new DatedForecast(WeekdaysAfter(lastDate, options.Horizon), saved.ForecastDays(prices, 1)[0])];
        }

        return saved.ForecastDays(prices, DaysAhead).Select((p, i) => new DatedForecast(WeekdaysAfter(lastDate, i + 1), p)).ToList();
    }

    /// <summary>The <paramref name="days"/>-th weekday after <paramref name="date"/>: a trading day unless it is an exchange
    /// holiday, which the sample does not know.</summary>
    internal static DateTime WeekdaysAfter(DateTime date, int days)
    {
        for (int i = 0; i < days; i++)
        {
            do
            {
                date = date.AddDays(1);
            }
            while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        }

        return date;
    }

    /// <summary>A Spectre.Console console over the sample's output; it finds out by itself whether that is an interactive terminal.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter writer) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });

    private string OutputPath(string file) => Path.GetFullPath(Path.Combine(options.OutputDirectory, file));

    /// <summary>
    /// For the generated series, the skill of the ideal one-step forecast: its log returns follow an AR(1) with coefficient phi,
    /// so knowing phi removes phi² of persistence's error variance. Unknown (null) for real data and longer horizons.
    /// </summary>
    private double? BestPossibleSkill()
    {
        if (options.CsvPath is not null || options.Horizon != 1)
        {
            return null;
        }

        double phi = new SyntheticPriceParameters().ArCoefficient;
        return phi * phi;
    }

    private SequenceWindowOptions WindowOptions(string target, bool forecasting) => new()
    {
        InputColumns = [target],
        WindowLength = options.Window,
        Horizon = options.Horizon,
        Normalization = options.Normalization,
        PassThroughColumns = [DateColumn],
        // For the hold-out, the date of the day forecast; past the end, that day is not in the data, so the window's last day.
        PassThroughRow = forecasting ? PassThroughRow.LastWindowRow : PassThroughRow.FirstLabelRow,
        IncludeUnlabeledTail = forecasting,
    };

    private double Price(float normalized, float reference) =>
        SequenceWindowNormalizer.Denormalize(normalized, reference, options.Normalization);

    /// <summary>Each forecaster's forecast from the window that ends on the series' last day.</summary>
    private Dictionary<string, double> ForecastPastTheEnd(MLContext mlContext, IDataView series, string target,
        IEnumerable<IForecaster> forecasters, DateTime lastDate)
    {
        var tail = mlContext.Data.CreateSequenceWindows(series, WindowOptions(target, forecasting: true));
        long count = tail.CountWindows().WindowsProduced;
        IDataView lastWindow = mlContext.Data.SkipRows(tail, count - 1);
        var window = WindowReader.Read(lastWindow, DateColumn).Single();
        if (window.Date != lastDate)
        {
            return []; // the last days have a missing value, so there is no window to forecast from
        }

        return forecasters.ToDictionary(f => f.Name, f => Price(f.Predict(lastWindow)[0], window.Reference));
    }

    private string WriteForecasts(List<ForecastWindow> windows, double[] actual, double[] last, Dictionary<string, double[]> forecasts,
        (string Model, PriceInterval[] Bounds)? interval)
    {
        string path = OutputPath("holdout-forecasts.csv");
        var text = new StringBuilder();
        var boundHeaders = interval is { } iv ? new[] { $"\"{iv.Model} lower\"", $"\"{iv.Model} upper\"" } : [];
        text.AppendLine(string.Join(",", new[] { "Date", "LastObserved", "Actual" }.Concat(forecasts.Keys.Select(k => $"\"{k}\"")).Concat(boundHeaders)));
        for (int i = 0; i < windows.Count; i++)
        {
            var cells = new[] { windows[i].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Format(last[i]), Format(actual[i]) }
                .Concat(forecasts.Values.Select(f => Format(f[i])))
                .Concat(interval is { } b ? new[] { Format(b.Bounds[i].Lower), Format(b.Bounds[i].Upper) } : []);
            text.AppendLine(string.Join(",", cells));
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
