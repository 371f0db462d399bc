using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// The flow of <c>--ahead H</c>: the same windows, normalisation and hold-out as the one-day run, but each window labelled with
/// its next H values (normalised against the window's own reference, like its inputs) → an encoder–decoder (N vs M) that
/// forecasts the H days at once, the one-day network (N vs 1) applied H times with its forecasts fed back, and persistence,
/// all trained on the same windows → every hold-out path in prices → RMSE, MAE and skill per day ahead → paths plot,
/// CSV files, and the H days past the end of the series.
/// </summary>
/// <param name="options">The parsed command line (<see cref="SampleOptions.Ahead"/> &gt; 1).</param>
/// <param name="output">Where the report goes.</param>
public sealed class AheadForecastRun(SampleOptions options, TextWriter output)
{
    /// <summary>How many hold-out origins the paths plot shows, H days apart, the last one the hold-out's last window.</summary>
    public const int PlottedOrigins = 4;

    private const string DateColumn = nameof(DailyPrice.Date);

    /// <summary>Runs the whole flow and writes the report.</summary>
    /// <returns>What was found.</returns>
    /// <exception cref="CsvFormatException">The CSV cannot be read.</exception>
    /// <exception cref="ArgumentException">The column is unknown or not in the file.</exception>
    /// <exception cref="InvalidOperationException">The series is too short for the windows and a hold-out.</exception>
    /// <exception cref="OutputFolderException">The output folder cannot take the results (checked before training).</exception>
    public AheadForecastReport Execute()
    {
        if (!options.IsMultiStep)
        {
            throw new ArgumentException($"--ahead {options.Ahead}: the multi-day run needs --ahead 2 or more.");
        }

        int days = options.Ahead;
        OutputFolder.Prepare(options.OutputDirectory);
        var mlContext = new MLContext(options.Seed);
        var (rows, description) = PriceSeries.Load(options);
        string target = DailyPrice.PropertyFor(options.Column);
        IDataView series = mlContext.Data.LoadFromEnumerable(rows);

        double validationFraction = options.Patience > 0 ? StockForecastRun.ValidationFraction : 0;
        long minimumWindows = WindowSplit.MinimumWindows(days, validationFraction);
        CheckLength(rows.Count, minimumWindows);
        SequenceWindowDataView view = mlContext.Data.CreateSequenceWindows(series, WindowOptions(target, forecasting: false));
        SequenceWindowStatistics counts = view.CountWindows();
        // The labels of the last H − 1 training windows would reach into the hold-out's days: they are left out.
        WindowSplit split = WindowSplit.Of(counts.WindowsProduced, days, validationFraction);
        if (!split.IsWorkable)
        {
            throw new InvalidOperationException(
                $"Only {counts.WindowsProduced} windows of {options.Window} days with {days} days after them ({counts.WindowsSkipped} skipped for " +
                $"touching missing values): a run needs at least {minimumWindows}. Use a longer series, a shorter --window or a smaller --ahead.");
        }

        List<PathWindow> windows = PathWindowReader.Read(view, DateColumn);
        List<PathWindow> training = windows.Take((int)split.Training).ToList();
        List<PathWindow> holdOut = windows.Skip(windows.Count - (int)split.HoldOut).ToList();
        var layout = new WindowLayout(options.Window, view.FeaturesPerStep, TargetFeature: 0);
        var writer = new AheadReportWriter(options, output);
        writer.WriteSetup(description, rows, counts, split, holdOut);

        var console = StockForecastRun.CreateConsole(output);
        var oneDayProgress = new EpochProgress(console, options.Epochs);
        var encoderDecoderProgress = new EpochProgress(console, options.Epochs);
        var oneDay = new RnnForecaster(mlContext, OneDayOptions(layout.FeaturesPerStep, oneDayProgress), validationFraction);
        var recursive = new RecursiveForecaster(mlContext, layout, oneDay, days, options.Normalization);
        var encoderDecoder = new EncoderDecoderForecaster(mlContext, EncoderDecoderOptions(layout.FeaturesPerStep, encoderDecoderProgress),
            layout.WindowLength * layout.FeaturesPerStep, validationFraction);
        IPathForecaster[] forecasters = [new PersistencePathForecaster(layout, days), recursive, encoderDecoder];

        var clock = Stopwatch.StartNew();
        oneDayProgress.Run($"Training {oneDay.Name} (one day, for the recursive forecast)", () => recursive.Fit(training));
        var oneDaySummary = Summarize(oneDay.Name, oneDay.Network!, oneDay.TrainingRows, oneDay.ValidationRows, oneDay.FeatureScale, clock.Elapsed.TotalSeconds);
        clock.Restart();
        encoderDecoderProgress.Run($"Training {encoderDecoder.Name} ({days} days at once)", () => encoderDecoder.Fit(training));
        var encoderDecoderSummary = Summarize(encoderDecoder.Name, encoderDecoder.Network!, encoderDecoder.TrainingRows, encoderDecoder.ValidationRows,
            encoderDecoder.FeatureScale, clock.Elapsed.TotalSeconds);

        double[][] actual = holdOut.Select(w => w.Labels.Select(v => Price(v, w.Reference)).ToArray()).ToArray();
        double[] last = holdOut.Select(w => Price(layout.TargetAt(w.Features, options.Window - 1), w.Reference)).ToArray();
        var paths = forecasters.Select(f => (IReadOnlyList<double[]>)f.Predict(holdOut)
            .Select((p, i) => p.Select(v => Price(v, holdOut[i].Reference)).ToArray()).ToArray()).ToList();
        var names = forecasters.Select(f => f.Name).ToList();
        IReadOnlyList<DayAheadMetrics> metrics = DayAheadMetrics.Compute(names, actual, paths, last);

        AheadIntervalReport? intervals = null;
        if (encoderDecoder.HasIntervals)
        {
            // Each day's interval mapped to prices as that day's point forecast is (NormalizedInterval.ToPrices, the window's reference).
            PriceInterval[][] bounds = encoderDecoder.PredictIntervals(holdOut)
                .Select((w, i) => w.Select(b => b.ToPrices(holdOut[i].Reference, options.Normalization)).ToArray()).ToArray();
            var perDay = Enumerable.Range(0, days).Select(d => IntervalScore.Compute(actual.Select(a => a[d]).ToList(), bounds.Select(b => b[d]).ToList())).ToList();
            var pooled = IntervalScore.Compute(actual.SelectMany(a => a).ToList(), bounds.SelectMany(b => b).ToList());
            intervals = new AheadIntervalReport(new IntervalReport(encoderDecoder.Name, options.DistributionName, SampleOptions.ConfidenceLevel, pooled,
                encoderDecoder.CalibrationFactor, encoderDecoder.ValidationRows, null), perDay);
        }

        var dayIndex = rows.Select((r, i) => (r.Date, i)).ToDictionary(p => p.Date, p => p.i);
        string metricsCsv = WriteMetrics(metrics);
        string pathsCsv = WritePaths(holdOut, dayIndex, rows, actual, last, names, paths);
        string pathsPlot = WritePathsPlot(holdOut, dayIndex, rows, target, names, paths, last);
        string lossPlot = OutputPath("ahead-loss.png");
        ForecastPlots.WriteLossCurve(encoderDecoderSummary.History, encoderDecoderSummary.KeptEpoch, lossPlot, ForecastPlots.LossUnits(options.Distribution));
        var next = ForecastPastTheEnd(rows, target, forecasters.Skip(1).ToList());

        var report = new AheadForecastReport(description, rows.Count, counts, split, oneDaySummary, encoderDecoderSummary, metrics, next,
            metricsCsv, pathsCsv, pathsPlot, lossPlot, intervals);
        double? phi = options.CsvPath is null ? new SyntheticPriceParameters().ArCoefficient : null;
        writer.WriteResults(report, rows, target, phi);
        return report;
    }

    /// <summary>The one-day network of the recursive forecast: exactly the one-day run's (N vs 1, the next day).</summary>
    private RnnTrainer.Options OneDayOptions(int inputSize, EpochProgress progress) => new()
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
        OnEpochEnd = progress.Report,
    };

    /// <summary>The encoder–decoder: the same cell, size and training, H output steps, the decoder as the options say.</summary>
    private RnnTrainer.Options EncoderDecoderOptions(int inputSize, EpochProgress progress) => new()
    {
        InputSize = inputSize,
        Cell = options.Cell,
        HiddenSize = options.Hidden,
        NumberOfLayers = options.Layers,
        Head = RnnHead.EncoderDecoder,
        OutputLength = options.Ahead,
        Context = options.Context,
        DecoderInput = options.DecoderInput,
        FeedPreviousOutput = options.FeedPreviousOutput,
        MaxEpochs = options.Epochs,
        EarlyStoppingPatience = options.Patience,
        Distribution = options.Distribution,
        ConfidenceLevel = SampleOptions.ConfidenceLevel,
        OnEpochEnd = progress.Report,
    };

    private RnnTrainingSummary Summarize(string name, RnnTransformer network, long trainingRows, long validationRows, float scale, double seconds)
    {
        IReadOnlyList<RnnEpochReport> history = network.TrainingHistory;
        int kept = options.Patience > 0 ? history.MinBy(e => e.ValidationLoss ?? e.TrainLoss)!.Epoch : history[^1].Epoch;
        return new RnnTrainingSummary(name, history, kept, history.Count < options.Epochs, trainingRows, validationRows, scale, seconds);
    }

    /// <summary>Refuses a series too short for the windows, their H days and a workable split, naming what would do.</summary>
    private void CheckLength(int seriesDays, long minimumWindows)
    {
        long largestWindow = seriesDays - options.Ahead + 1 - minimumWindows;
        if (largestWindow >= options.Window)
        {
            return;
        }

        string need = $"The series has {seriesDays} days: too few for windows of {options.Window} days and {options.Ahead} days after each " +
            $"(a run needs {minimumWindows} windows, so {options.Window + options.Ahead - 1 + minimumWindows} days). ";
        throw new InvalidOperationException(largestWindow >= 1
            ? need + $"Use --window N with N < {largestWindow + 1}, a smaller --ahead, or a longer series."
            : need + "Use a longer series or a smaller --ahead.");
    }

    private SequenceWindowOptions WindowOptions(string target, bool forecasting) => new()
    {
        InputColumns = [target],
        WindowLength = options.Window,
        Horizon = 1,
        LabelSteps = options.Ahead,
        Normalization = options.Normalization,
        PassThroughColumns = [DateColumn],
        // The origin: the window's last day (the days forecast follow it in the series).
        PassThroughRow = PassThroughRow.LastWindowRow,
        IncludeUnlabeledTail = forecasting,
    };

    private double Price(float normalized, float reference) =>
        SequenceWindowNormalizer.Denormalize(normalized, reference, options.Normalization);

    /// <summary>The paths from the window that ends on the series' last day, dated on the weekdays after it; empty when a price
    /// of that window is missing.</summary>
    private Dictionary<string, IReadOnlyList<DatedForecast>> ForecastPastTheEnd(IReadOnlyList<DailyPrice> rows, string target,
        IReadOnlyList<IPathForecaster> forecasters)
    {
        double[] prices = rows.Skip(rows.Count - options.Window).Select(r => r.Get(target)).ToArray();
        if (prices.Any(p => !double.IsFinite(p) || p <= 0))
        {
            return [];
        }

        // Normalised as the window view does: the ratio in double, rounded to float once; the reference rounded to float.
        double reference = options.Normalization switch
        {
            SequenceWindowNormalization.RelativeToFirst => prices[0],
            SequenceWindowNormalization.RelativeToLast => prices[^1],
            _ => double.NaN,
        };
        float[] features = prices.Select(p => options.Normalization == SequenceWindowNormalization.None ? (float)p : (float)(p / reference - 1.0)).ToArray();
        var window = new PathWindow(features, new float[options.Ahead], (float)reference, rows[^1].Date);
        return forecasters.ToDictionary(f => f.Name, f => (IReadOnlyList<DatedForecast>)f.Predict([window])[0]
            .Select((v, i) => new DatedForecast(StockForecastRun.WeekdaysAfter(rows[^1].Date, i + 1), Price(v, window.Reference))).ToList());
    }

    private string WriteMetrics(IReadOnlyList<DayAheadMetrics> metrics)
    {
        string path = OutputPath("ahead-metrics.csv");
        var text = new StringBuilder("DayAhead,Model,RMSE,MAE,SkillVsPersistence,DieboldMarianoT,DieboldMarianoP\n");
        foreach (var day in metrics)
        {
            foreach (var m in day.Models)
            {
                text.AppendLine(string.Join(",", day.Day?.ToString(CultureInfo.InvariantCulture) ?? "all", $"\"{m.Model}\"", Format(m.Rmse), Format(m.Mae),
                    Format(m.SkillVsPersistence), m.DieboldMariano is { } dm ? Format(dm.Statistic) : "", m.DieboldMariano is { } t ? Format(t.PValue) : ""));
            }
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string WritePaths(List<PathWindow> holdOut, Dictionary<DateTime, int> dayIndex, IReadOnlyList<DailyPrice> rows, double[][] actual,
        double[] last, List<string> names, List<IReadOnlyList<double[]>> paths)
    {
        string path = OutputPath("ahead-forecasts.csv");
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", new[] { "Origin", "LastObserved", "DayAhead", "Date", "Actual" }.Concat(names.Skip(1).Select(n => $"\"{n}\""))));
        for (int i = 0; i < holdOut.Count; i++)
        {
            int origin = dayIndex[holdOut[i].Date];
            for (int d = 0; d < options.Ahead; d++)
            {
                var cells = new[] { Date(holdOut[i].Date), Format(last[i]), (d + 1).ToString(CultureInfo.InvariantCulture), Date(rows[origin + d + 1].Date), Format(actual[i][d]) }
                    .Concat(paths.Skip(1).Select(p => Format(p[i][d])));
                text.AppendLine(string.Join(",", cells));
            }
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>The paths of the two networks from <see cref="PlottedOrigins"/> hold-out origins H days apart (the last the
    /// hold-out's last window, so the paths do not overlap), over the actual prices from 2H days before the first.</summary>
    private string WritePathsPlot(List<PathWindow> holdOut, Dictionary<DateTime, int> dayIndex, IReadOnlyList<DailyPrice> rows, string target,
        List<string> names, List<IReadOnlyList<double[]>> paths, double[] last)
    {
        int h = options.Ahead;
        var origins = Enumerable.Range(0, PlottedOrigins).Select(k => holdOut.Count - 1 - k * h).Where(i => i >= 0).Reverse().ToList();
        int from = Math.Max(0, dayIndex[holdOut[origins[0]].Date] - 2 * h);
        int to = dayIndex[holdOut[origins[^1]].Date] + h;
        var shown = rows.Skip(from).Take(to - from + 1).Where(r => double.IsFinite(r.Get(target))).ToList();
        var forecasts = Enumerable.Range(1, names.Count - 1).Select(m => (names[m], (IReadOnlyList<PricePath>)origins.Select(i =>
        {
            int origin = dayIndex[holdOut[i].Date];
            return new PricePath(holdOut[i].Date, last[i], rows.Skip(origin + 1).Take(h).Select(r => r.Date).ToList(), paths[m][i]);
        }).ToList())).ToList();

        string path = OutputPath("ahead-paths.png");
        ForecastPlots.WritePathsVsActual($"{options.Column}: forecasts of the next {h} days from {origins.Count} hold-out origins vs actual",
            $"{options.Column} (price)", shown.Select(r => r.Date).ToList(), shown.Select(r => r.Get(target)).ToList(), forecasts, path);
        return path;
    }

    private string OutputPath(string file) => Path.GetFullPath(Path.Combine(options.OutputDirectory, file));

    private static string Date(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
