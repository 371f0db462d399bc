using System.Globalization;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// The sample's console text, in two parts: what is about to be done (before training, so the progress has context) and
/// what was found. Plain text, so that it reads the same in a terminal and in a CI log.
/// </summary>
/// <param name="options">The parsed command line.</param>
/// <param name="output">Where the text goes.</param>
public sealed class ReportWriter(SampleOptions options, TextWriter output)
{
    private const string Indent = "          ";

    /// <summary>The p-value below which the verdict calls a difference from persistence more than luck.</summary>
    public const double SignificanceLevel = 0.05;

    /// <summary>"the next trading day" or "3 trading days ahead".</summary>
    public string HorizonText => options.Horizon == 1 ? "the next trading day" : $"{options.Horizon} trading days ahead";

    /// <summary>Writes the data, the windows and the network about to be trained.</summary>
    /// <param name="description">Where the prices came from.</param>
    /// <param name="rows">The series.</param>
    /// <param name="windows">The window counts.</param>
    /// <param name="trainingWindows">Windows before the hold-out.</param>
    /// <param name="holdOut">The hold-out windows, in order.</param>
    /// <param name="validationWindows">The latest training windows that validate the RNN (0 without early stopping).</param>
    public void WriteSetup(string description, IReadOnlyList<DailyPrice> rows, SequenceWindowStatistics windows, long trainingWindows,
        IReadOnlyList<ForecastWindow> holdOut, long validationWindows)
    {
        output.WriteLine("StockSequence: price forecasts from sequence windows, a recurrent network against naive baselines");
        output.WriteLine();
        output.WriteLine($"Data      {description}");
        output.WriteLine($"{Indent}{rows.Count} trading days, {rows[0].Date:yyyy-MM-dd} to {rows[^1].Date:yyyy-MM-dd}");
        output.WriteLine($"Target    {options.Column}, {HorizonText}, from windows of {options.Window} days");
        output.WriteLine($"Scaling   {options.NormalizationDescription}");
        string gap = options.Horizon > 1 ? $", {options.Horizon - 1} between left out" : "";
        output.WriteLine($"Windows   {windows.WindowsProduced} ({trainingWindows} to train{gap}; the last {holdOut.Count} held out, " +
            $"{holdOut[0].Date:yyyy-MM-dd} to {holdOut[^1].Date:yyyy-MM-dd})" +
            (windows.WindowsSkipped > 0 ? $"; {windows.WindowsSkipped} skipped for touching {windows.RowsWithNonFiniteValues} day(s) with missing values or a zero price" : "; none skipped"));
        string layers = options.Layers == 1 ? "1 layer" : $"{options.Layers} layers";
        output.WriteLine($"RNN       {RnnForecaster.CellName(options.Cell)}, N vs 1, {options.Hidden} hidden units, {layers}; Adam, up to {options.Epochs} epochs");
        output.WriteLine(options.HasIntervals
            ? $"{Indent}predicts a {options.DistributionName} distribution per forecast (--distribution): its mean, and its {ResultsTable.Percent(SampleOptions.ConfidenceLevel, "0")} interval"
            : $"{Indent}a point forecast (--distribution none), trained on squared errors");
        output.WriteLine(options.Patience > 0
            ? $"{Indent}early stopping: {options.Patience} epochs without a lower loss on the last {validationWindows} training windows"
            : $"{Indent}no early stopping (--patience 0): every epoch runs, on all training windows");
        output.WriteLine();
    }

    /// <summary>Writes how training went, the results table, the verdict, the model file and the forecasts past the end.</summary>
    /// <param name="report">What the run found.</param>
    /// <param name="rows">The series.</param>
    /// <param name="target">The target's property name.</param>
    /// <param name="bestPossibleSkill">The skill an ideal forecaster would have, when it is known (generated data), else null.</param>
    public void WriteResults(StockForecastReport report, IReadOnlyList<DailyPrice> rows, string target, double? bestPossibleSkill)
    {
        var rnn = report.Rnn;
        var kept = rnn.History.Single(e => e.Epoch == rnn.KeptEpoch);
        string stop = rnn.StoppedEarly ? $"stopped early after {rnn.History.Count} epochs" : $"ran all {rnn.History.Count} epochs";
        string keptLoss = kept.ValidationLoss is float v ? $"validation loss {EpochProgress.Loss(v)}" : $"train loss {EpochProgress.Loss(kept.TrainLoss)}";
        output.WriteLine($"Trained   {rnn.Name} on {rnn.TrainingWindows} windows in {Seconds(rnn.Seconds)}: {stop}; kept epoch {rnn.KeptEpoch} ({keptLoss})");
        output.WriteLine($"{Indent}the network sees the windows times {rnn.FeatureScale.ToString("0.##", CultureInfo.InvariantCulture)} " +
            "(one over the training labels' root mean square) and the label standardised by the trainer;");
        output.WriteLine(options.HasIntervals
            ? $"{Indent}it predicts a {options.DistributionName} distribution per forecast (its mean is the forecast below); losses are mean negative log-likelihoods (nats) of the normalised label"
            : $"{Indent}losses are mean squared errors of the normalised label");
        output.WriteLine();
        output.WriteLine("Hold-out results, in price units (skill = 1 - MSE / MSE of persistence; DM t = Diebold-Mariano statistic of");
        output.WriteLine("the squared errors against persistence, small-sample corrected, negative is better; p = its two-sided p-value");
        output.WriteLine($"from Student's t, {SignificanceLevel:0.00} or more is within chance):");
        output.WriteLine();
        output.Write(ResultsTable.Render(report.Metrics));
        WriteInterval(report.Interval);
        output.WriteLine();
        output.WriteLine($"Up moves in the hold-out: {ResultsTable.Percent(report.UpMoveShare)} (saying \"up\" every day scores that direction accuracy).");
        foreach (string line in Verdict(report.Metrics, rnn.Name, report.HoldOutWindows, options.Horizon, bestPossibleSkill))
        {
            output.WriteLine(line);
        }

        WriteWalkForward(report.WalkForward);
        output.WriteLine();
        long size = new FileInfo(report.ModelPath).Length;
        output.WriteLine($"Model     {report.ModelPath} ({Math.Max(1, size / 1024)} KB)");
        output.WriteLine(report.ReloadedModelMatches
            ? $"{Indent}loaded again in a new MLContext, it gives the same {report.HoldOutWindows} hold-out forecasts, bit for bit"
            : $"{Indent}loaded again in a new MLContext, it gives DIFFERENT hold-out forecasts: that is a bug in the package, please report it");

        double lastPrice = rows[^1].Get(target);
        string after = $"after {rows[^1].Date:yyyy-MM-dd} (last {options.Column} {Money(lastPrice)})";
        if (report.NextDays.Count > 0)
        {
            output.WriteLine(options.Horizon == 1
                ? $"{Indent}its next {report.NextDays.Count} weekdays {after}, each forecast fed back in as the newest price (exchange holidays are not known):"
                : $"{Indent}its forecast for {HorizonText} {after}, dated {options.Horizon} weekdays on (exchange holidays are not known):");
            output.WriteLine(Indent + string.Join("  ", report.NextDays.Select(d => $"{d.Date:yyyy-MM-dd} {Money(d.Price)}")));
        }

        output.WriteLine(report.NextForecasts.Count > 0
            ? $"Forecast  {HorizonText} {after}: " + string.Join(", ", report.NextForecasts.Select(f => $"{f.Key} {Money(f.Value)}"))
            : "Forecast  none past the end: the last window touches a missing value.");
        output.WriteLine($"Plots     {report.LossPlotPath} (loss per epoch)");
        output.WriteLine($"{Indent}{report.ForecastPlotPaths[0]} (forecast vs actual on the hold-out)");
        output.WriteLine($"{Indent}{report.ForecastPlotPaths[1]} (the same, its last days)");
        if (report.Interval?.FanChartPath is string fan)
        {
            output.WriteLine($"{Indent}{fan} (fan chart: actual, forecast and its {ResultsTable.Percent(report.Interval.ConfidenceLevel, "0")} interval on the hold-out)");
        }

        output.WriteLine($"Table     {report.ForecastsCsvPath} (every hold-out forecast)");
    }

    /// <summary>The interval's hold-out coverage and width beside the point metrics, and whether it was calibrated (nothing for
    /// a point forecast).</summary>
    private void WriteInterval(IntervalReport? interval)
    {
        if (interval is null)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(IntervalLine(interval));
        output.WriteLine($"{Indent}{CoverageVerdict(interval.Score, interval.ConfidenceLevel)}");
        output.WriteLine($"{Indent}{interval.CalibrationText}.");
        output.WriteLine($"{Indent}(Coverage: the share of hold-out prices inside their interval; near {ResultsTable.Percent(interval.ConfidenceLevel, "0")} " +
            "means the stated uncertainty is honest, well below means overconfident, well above means too cautious.)");
    }

    /// <summary>"Interval  LSTM 32, 95% Student-t interval: hold-out coverage 94.3% of 525 prices (nominal 95%), mean width 4.12".</summary>
    /// <param name="interval">The interval's report.</param>
    /// <returns>The line.</returns>
    public static string IntervalLine(IntervalReport interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        string level = ResultsTable.Percent(interval.ConfidenceLevel, "0");
        var score = interval.Score;
        string unknown = score.Unknown > 0 ? $"; {score.Unknown} without an interval (NaN scale)" : "";
        return $"Interval  {interval.Model}, {level} {interval.Distribution} interval: hold-out coverage {ResultsTable.Percent(score.Coverage)} of " +
            $"{score.Count} prices (nominal {level}), mean width {Money(score.MeanWidth)} in price units{unknown}";
    }

    /// <summary>Whether the hold-out coverage is within chance of the nominal level (binomial test at
    /// <see cref="SignificanceLevel"/>), and if not which way it errs.</summary>
    /// <param name="score">The hold-out score.</param>
    /// <param name="level">The nominal coverage.</param>
    /// <returns>A sentence.</returns>
    public static string CoverageVerdict(IntervalScore score, double level)
    {
        ArgumentNullException.ThrowIfNull(score);
        if (score.Count == 0)
        {
            return "No hold-out price had an interval to score.";
        }

        double p = score.CoveragePValue(level);
        string nominal = ResultsTable.Percent(level, "0"), test = $"(binomial test p {PValueText(p)})";
        if (p >= SignificanceLevel)
        {
            return $"On this hold-out the coverage is within chance of the nominal {nominal} {test}: the intervals hold up.";
        }

        return score.Coverage < level
            ? $"On this hold-out the coverage is below the nominal {nominal} by more than chance {test}: the intervals are too narrow here."
            : $"On this hold-out the coverage is above the nominal {nominal} by more than chance {test}: the intervals are wider than needed here.";
    }

    /// <summary>The walk-forward folds, one line each, and the spread of their skill (nothing without <c>--folds</c>).</summary>
    private void WriteWalkForward(IReadOnlyList<WalkForwardFold> folds)
    {
        if (folds.Count == 0)
        {
            return;
        }

        static string Skill(double skill) => (skill > 0 ? "+" : "") + ResultsTable.Percent(skill, "0.00");
        output.WriteLine();
        output.WriteLine($"Walk-forward over the training windows ({folds.Count} folds; each block scored by a new network trained only on the windows before it):");
        foreach (var fold in folds)
        {
            var m = fold.Metrics;
            string p = m.DieboldMariano is { } test ? $", DM p {ResultsTable.PValue(test.PValue)}" : "";
            output.WriteLine($"{Indent}fold {fold.Index + 1}: trained on {fold.TrainingWindows} windows, forecasts {fold.First:yyyy-MM-dd} to " +
                $"{fold.Last:yyyy-MM-dd}: RMSE {m.Rmse.ToString("0.0000", CultureInfo.InvariantCulture)}, skill vs persistence {Skill(m.SkillVsPersistence)}{p}");
        }

        var skills = folds.Select(f => f.Metrics.SkillVsPersistence).ToList();
        output.WriteLine($"{Indent}skill {Skill(skills.Average())} on average, from {Skill(skills.Min())} to {Skill(skills.Max())}");
    }

    /// <summary>
    /// The result in plain words, without flattering the models: first the RNN, then any model that did better. None at all
    /// on a hold-out too short to tell skill from luck (<see cref="DieboldMarianoTest.MinimumForecasts"/>).
    /// </summary>
    /// <param name="metrics">The table's rows, persistence first.</param>
    /// <param name="rnnName">The RNN's row.</param>
    /// <param name="holdOutWindows">The forecasts each row was scored on.</param>
    /// <param name="horizon">Steps ahead the forecasts are.</param>
    /// <param name="bestPossibleSkill">The skill an ideal forecaster would have, when it is known, else null.</param>
    /// <returns>The verdict's lines.</returns>
    public static IReadOnlyList<string> Verdict(IReadOnlyList<ForecastMetrics> metrics, string rnnName, long holdOutWindows, int horizon,
        double? bestPossibleSkill)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        int needed = DieboldMarianoTest.MinimumForecasts(horizon);
        if (holdOutWindows < needed)
        {
            string perStep = horizon > 1 ? $", {DieboldMarianoTest.MinimumForecastsPerStep} per step of the horizon" : "";
            return
            [
                $"Verdict: none. The hold-out has only {holdOutWindows} windows, too few to tell skill from luck (at least {needed} are " +
                $"needed{perStep}); the table describes these days, nothing more. Use a longer series or a shorter --window.",
            ];
        }

        var persistence = metrics[0];
        var rnn = metrics.Single(m => m.Model == rnnName);
        var lines = new List<string> { $"Verdict: the {rnn.Model} " + Judge(rnn, persistence) };
        var better = metrics.Skip(1).Where(m => m != rnn && m.SkillVsPersistence > Math.Max(0, rnn.SkillVsPersistence)).MaxBy(m => m.SkillVsPersistence);
        if (better is not null)
        {
            lines.Add($"         {better.Model} does better: it " + Judge(better, persistence));
        }
        else if (rnn.SkillVsPersistence <= 0)
        {
            lines.Add("         Nothing here beats persistence: day-to-day moves of prices are close to unpredictable.");
        }

        if (bestPossibleSkill is double ideal)
        {
            lines.Add($"         On this generated series a perfect model of its momentum scores about {ResultsTable.Percent(ideal, "0.0")} skill " +
                "on average; one hold-out scatters around that by a few points.");
        }

        return lines;
    }

    /// <summary>"beats persistence by …" or "does not beat persistence …", with whether the difference could be luck.</summary>
    private static string Judge(ForecastMetrics model, ForecastMetrics persistence)
    {
        if (model.SkillVsPersistence <= 0)
        {
            return "does not beat persistence (\"tomorrow = today\") on this hold-out: its MSE is " +
                $"{ResultsTable.Percent(-model.SkillVsPersistence, "0.00")} higher (RMSE {model.Rmse:0.####} vs {persistence.Rmse:0.####}).";
        }

        string gain = $"beats persistence by {ResultsTable.Percent(model.SkillVsPersistence, "0.00")} in MSE " +
            $"(RMSE {model.Rmse:0.####} vs {persistence.Rmse:0.####}); ";
        return model.DieboldMariano switch
        {
            null => gain + "the Diebold-Mariano test is undefined on these errors, so it is not evidence of skill.",
            { PValue: < SignificanceLevel } dm => gain + $"the Diebold-Mariano test gives p {PValueText(dm.PValue)}: unlikely to be luck.",
            var dm => gain + $"a gain this size is within chance on this hold-out (Diebold-Mariano p {PValueText(dm.PValue)}), so it is not evidence of skill.",
        };
    }

    private static string PValueText(double p) => p < 0.001 ? "< 0.001" : "= " + ResultsTable.PValue(p);

    private static string Money(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
