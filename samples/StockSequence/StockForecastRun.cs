using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// The sample's flow, one step per method: load the prices → cut them into windows → split off the last 15% of windows
/// (chronologically) → fit every forecaster on the rest and forecast the hold-out → score them in prices → report.
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

    /// <summary>Runs the whole flow and writes the report.</summary>
    /// <returns>What was found.</returns>
    /// <exception cref="CsvFormatException">The CSV cannot be read.</exception>
    /// <exception cref="ArgumentException">The column is unknown or not in the file.</exception>
    /// <exception cref="InvalidOperationException">The series is too short for the windows and a hold-out.</exception>
    public StockForecastReport Execute()
    {
        var mlContext = new MLContext(options.Seed);

        var (rows, description) = LoadSeries();
        string target = DailyPrice.PropertyFor(options.Column);
        IDataView series = mlContext.Data.LoadFromEnumerable(rows);

        SequenceWindowDataView windows = mlContext.Data.CreateSequenceWindows(series, WindowOptions(target, forecasting: false));
        SequenceWindowStatistics counts = windows.CountWindows();
        long total = counts.WindowsProduced;
        long holdOut = Math.Max(1, (long)Math.Round(total * HoldOutFraction));
        // With a horizon h > 1, the last h - 1 training windows would have labels later than the first hold-out window's
        // last day: a peek at the hold-out period. They are left out (a gap, or "embargo", between training and hold-out).
        long gap = options.Horizon - 1;
        long trainingCount = total - holdOut - gap;
        if (trainingCount < 2)
        {
            throw new InvalidOperationException(
                $"Only {total} windows of {options.Window} days: too few to train on and hold out 15%. Use a longer series or a shorter --window.");
        }

        IDataView training = mlContext.Data.TakeRows(windows, trainingCount);
        IDataView test = mlContext.Data.SkipRows(windows, total - holdOut);
        List<ForecastWindow> testWindows = WindowReader.Read(test, DateColumn);

        var layout = new WindowLayout(options.Window, windows.FeaturesPerStep, TargetFeature: 0);
        IForecaster[] forecasters =
        [
            new PersistenceForecaster(layout),
            new MovingAverageForecaster(layout, MovingAverageLength),
            new LinearForecaster(mlContext),
        ];

        double[] actual = testWindows.Select(w => Price(w.Label, w.Reference)).ToArray();
        double[] last = testWindows.Select(w => Price(layout.TargetAt(w.Features, options.Window - 1), w.Reference)).ToArray();
        var forecasts = new Dictionary<string, double[]>();
        var metrics = new List<ForecastMetrics>();
        foreach (var forecaster in forecasters)
        {
            forecaster.Fit(training);
            float[] predicted = forecaster.Predict(test);
            forecasts[forecaster.Name] = predicted.Zip(testWindows, (p, w) => Price(p, w.Reference)).ToArray();
            metrics.Add(ForecastMetrics.Compute(forecaster.Name, actual, forecasts[forecaster.Name], last, options.Horizon));
        }

        string csvPath = WriteForecasts(testWindows, actual, last, forecasts);
        var next = ForecastPastTheEnd(mlContext, series, target, forecasters, rows[^1].Date);
        double upShare = actual.Zip(last, (a, l) => a > l ? 1.0 : 0.0).Average();
        var report = new StockForecastReport(description, rows.Count, counts, trainingCount, holdOut, metrics, upShare, csvPath, next);
        Print(report, testWindows, rows, target);
        return report;
    }

    private (IReadOnlyList<DailyPrice> Rows, string Description) LoadSeries()
    {
        if (options.CsvPath is null)
        {
            var parameters = new SyntheticPriceParameters { Days = options.Days, Seed = options.Seed };
            return (SyntheticPriceSeries.Generate(parameters),
                $"generated series (AR(1)-GARCH(1,1) log returns, phi {parameters.ArCoefficient}, seed {parameters.Seed})");
        }

        PriceTable table = DailyPriceCsv.Read(options.CsvPath);
        if (!table.HasColumn(options.Column))
        {
            throw new ArgumentException(
                $"{Path.GetFileName(options.CsvPath)} has no '{options.Column}' column; it has {string.Join(", ", table.Columns)}.");
        }

        string notes = (table.MissingValues > 0 ? $", {table.MissingValues} missing values" : "") + (table.WasSorted ? ", sorted by date" : "");
        return (table.Rows, $"{Path.GetFileName(options.CsvPath)} (Date,{string.Join(",", table.Columns)}; dates {table.DateFormat}{notes})");
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

    private string WriteForecasts(List<ForecastWindow> windows, double[] actual, double[] last, Dictionary<string, double[]> forecasts)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        string path = Path.GetFullPath(Path.Combine(options.OutputDirectory, "holdout-forecasts.csv"));
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", new[] { "Date", "LastObserved", "Actual" }.Concat(forecasts.Keys.Select(k => $"\"{k}\""))));
        for (int i = 0; i < windows.Count; i++)
        {
            var cells = new[] { windows[i].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Format(last[i]), Format(actual[i]) }
                .Concat(forecasts.Values.Select(f => Format(f[i])));
            text.AppendLine(string.Join(",", cells));
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private void Print(StockForecastReport report, List<ForecastWindow> testWindows, IReadOnlyList<DailyPrice> rows, string target)
    {
        string days = options.Horizon == 1 ? "the next trading day" : $"{options.Horizon} trading days ahead";
        var w = report.Windows;
        output.WriteLine("StockSequence: price forecasts from sequence windows, against naive baselines");
        output.WriteLine();
        output.WriteLine($"Data      {report.DataDescription}");
        output.WriteLine($"          {report.SeriesRows} trading days, {rows[0].Date:yyyy-MM-dd} to {rows[^1].Date:yyyy-MM-dd}");
        output.WriteLine($"Target    {options.Column}, {days}, from windows of {options.Window} days");
        output.WriteLine($"Scaling   {options.NormalizationDescription}");
        string gap = options.Horizon > 1 ? $", {options.Horizon - 1} between left out" : "";
        output.WriteLine($"Windows   {w.WindowsProduced} ({report.TrainingWindows} to train{gap}; the last {report.HoldOutWindows} held out, " +
            $"{testWindows[0].Date:yyyy-MM-dd} to {testWindows[^1].Date:yyyy-MM-dd})" +
            (w.WindowsSkipped > 0 ? $"; {w.WindowsSkipped} skipped for touching {w.RowsWithNonFiniteValues} day(s) with missing values or a zero price" : "; none skipped"));
        output.WriteLine($"RNN       not in this build yet: --cell {options.Cell} --hidden {options.Hidden} --layers {options.Layers} " +
            $"--epochs {options.Epochs} are accepted and not used. Baselines only.");
        output.WriteLine();
        output.WriteLine("Hold-out results, in price units (skill = 1 - MSE / MSE of persistence; DM t = Diebold-Mariano statistic");
        output.WriteLine("against persistence, negative is better, |t| < 2 is within chance):");
        output.WriteLine();
        output.Write(ResultsTable.Render(report.Metrics));
        output.WriteLine();
        output.WriteLine($"Up moves in the hold-out: {ResultsTable.Percent(report.UpMoveShare)} (saying \"up\" every day scores that direction accuracy).");
        output.WriteLine(Verdict(report.Metrics));
        output.WriteLine();
        if (report.NextForecasts.Count > 0)
        {
            double lastPrice = target switch
            {
                nameof(DailyPrice.Open) => rows[^1].Open,
                nameof(DailyPrice.High) => rows[^1].High,
                nameof(DailyPrice.Low) => rows[^1].Low,
                nameof(DailyPrice.AdjClose) => rows[^1].AdjClose,
                _ => rows[^1].Close,
            };
            output.WriteLine($"Forecast for {days} after {rows[^1].Date:yyyy-MM-dd} (last {options.Column} {lastPrice:0.00}): " +
                string.Join(", ", report.NextForecasts.Select(f => $"{f.Key} {f.Value:0.00}")));
        }
        else
        {
            output.WriteLine("No forecast past the end: the last window touches a missing value.");
        }

        output.WriteLine($"Hold-out forecasts: {report.ForecastsCsvPath}");
    }

    /// <summary>The result in plain words, without flattering the models.</summary>
    private static string Verdict(IReadOnlyList<ForecastMetrics> metrics)
    {
        var contenders = metrics.Where(m => m.Model != "Persistence").ToList();
        var best = contenders.MaxBy(m => m.SkillVsPersistence)!;
        if (best.SkillVsPersistence <= 0)
        {
            return "Verdict: nothing beats persistence (\"tomorrow = today\") on this hold-out; " +
                $"the best, {best.Model}, is {ResultsTable.Percent(-best.SkillVsPersistence)} worse in MSE.";
        }

        bool clear = best.DieboldMarianoT is double t && t < -2;
        return $"Verdict: {best.Model} beats persistence by {ResultsTable.Percent(best.SkillVsPersistence, "0.00")} in MSE " +
            $"(RMSE {best.Rmse:0.####} vs {metrics[0].Rmse:0.####}); " +
            (clear ? "the Diebold-Mariano test says that is unlikely to be luck."
                   : "a gain this size is within chance on this hold-out (|DM t| < 2), so it is not evidence of skill.");
    }
}
