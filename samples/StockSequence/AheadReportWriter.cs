using System.Globalization;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>The console text of <c>--ahead H</c>: what is about to be done, then the per-day table and what it says.</summary>
/// <param name="options">The parsed command line.</param>
/// <param name="output">Where the text goes.</param>
public sealed class AheadReportWriter(SampleOptions options, TextWriter output)
{
    private const string Indent = "          ";

    /// <summary>Writes the data, the windows and the two networks about to be trained.</summary>
    /// <param name="description">Where the prices came from.</param>
    /// <param name="rows">The series.</param>
    /// <param name="windows">The window counts.</param>
    /// <param name="split">How the windows are divided.</param>
    /// <param name="holdOut">The hold-out windows, in order.</param>
    public void WriteSetup(string description, IReadOnlyList<DailyPrice> rows, SequenceWindowStatistics windows, WindowSplit split,
        IReadOnlyList<PathWindow> holdOut)
    {
        int h = options.Ahead;
        output.WriteLine($"StockSequence --ahead {h}: forecasts of the next {h} trading days at once, against the one-day network applied {h} times");
        output.WriteLine();
        output.WriteLine($"Data      {description}");
        output.WriteLine($"{Indent}{rows.Count} trading days, {rows[0].Date:yyyy-MM-dd} to {rows[^1].Date:yyyy-MM-dd}");
        output.WriteLine($"Target    {options.Column}, each of days 1 to {h} after windows of {options.Window} days");
        output.WriteLine($"Scaling   {options.NormalizationDescription}; the {h} label days against the same value as their window");
        output.WriteLine($"Windows   {windows.WindowsProduced} ({split.Training} to train, {split.Gap} between left out; the last {holdOut.Count} held out, " +
            $"origins {holdOut[0].Date:yyyy-MM-dd} to {holdOut[^1].Date:yyyy-MM-dd})" +
            (windows.WindowsSkipped > 0 ? $"; {windows.WindowsSkipped} skipped for touching {windows.RowsWithNonFiniteValues} day(s) with missing values or a zero price" : "; none skipped"));
        string layers = options.Layers == 1 ? "1 layer" : $"{options.Layers} layers";
        string cell = RnnForecaster.CellName(options.Cell);
        output.WriteLine($"RNNs      {cell}, {options.Hidden} hidden units, {layers}; Adam, up to {options.Epochs} epochs, on the same training windows:");
        output.WriteLine($"{Indent}recursive: N vs 1 on day 1 of each window, then applied {h} times, each forecast fed back as the newest price");
        output.WriteLine($"{Indent}encoder-decoder: N vs M, all {h} days at once; {options.DecoderDescription}");
        output.WriteLine(options.HasIntervals
            ? $"{Indent}both predict a {options.DistributionName} distribution per day (--distribution); the encoder-decoder's {ResultsTable.Percent(SampleOptions.ConfidenceLevel, "0")} interval is scored per day"
            : $"{Indent}both give point forecasts (--distribution none), trained on squared errors");
        output.WriteLine(options.Patience > 0
            ? $"{Indent}early stopping: {options.Patience} epochs without a lower loss on the last {split.Validation} training windows"
            : $"{Indent}no early stopping (--patience 0): every epoch runs, on all training windows");
        output.WriteLine();
    }

    /// <summary>Writes how the networks trained, the per-day table, what it says, the paths past the end and the files.</summary>
    /// <param name="report">What the run found.</param>
    /// <param name="rows">The series.</param>
    /// <param name="target">The target's property name.</param>
    /// <param name="phi">The generated series' AR(1) coefficient, for the ideal skill per day; null for real data.</param>
    public void WriteResults(AheadForecastReport report, IReadOnlyList<DailyPrice> rows, string target, double? phi)
    {
        foreach (var rnn in new[] { report.OneDay, report.EncoderDecoder })
        {
            var kept = rnn.History.Single(e => e.Epoch == rnn.KeptEpoch);
            string stop = rnn.StoppedEarly ? $"stopped early after {rnn.History.Count} epochs" : $"ran all {rnn.History.Count} epochs";
            string keptLoss = kept.ValidationLoss is float v ? $"validation loss {EpochProgress.Loss(v)}" : $"train loss {EpochProgress.Loss(kept.TrainLoss)}";
            output.WriteLine($"Trained   {rnn.Name} on {rnn.TrainingWindows} windows in {Seconds(rnn.Seconds)}: {stop}; kept epoch {rnn.KeptEpoch} ({keptLoss})");
        }

        output.WriteLine();
        output.WriteLine($"Hold-out results per day ahead, in price units, over {report.Split.HoldOut} origins (skill = 1 - MSE / MSE of persistence");
        output.WriteLine("on the same day; \"all\" pools every origin and day):");
        output.WriteLine();
        output.Write(DayAheadTable.Render(report.Days));
        output.WriteLine();
        foreach (string line in Summary(report.Days, report.Split.HoldOut, phi))
        {
            output.WriteLine(line);
        }

        if (report.Intervals is { } intervals)
        {
            var all = intervals.All;
            string level = ResultsTable.Percent(all.ConfidenceLevel, "0");
            output.WriteLine();
            output.WriteLine($"Intervals of the {all.Model}, {level} {all.Distribution}, per day ahead on the hold-out (coverage: the share of actual prices");
            output.WriteLine($"inside their interval, nominal {level}; mean width in price units):");
            output.WriteLine();
            output.Write(DayAheadTable.RenderIntervals(intervals.Days, all.Score));
            output.WriteLine($"{Indent}{WidthTrend(intervals.Days)}");
            output.WriteLine($"{Indent}{all.CalibrationText}.");
            output.WriteLine($"{Indent}One factor for all {options.Ahead} days, so a day may cover more or less than {level} while the days together match it on the validation windows.");
        }

        output.WriteLine();
        if (report.NextPaths.Count > 0)
        {
            output.WriteLine($"Forecast  the next {options.Ahead} weekdays after {rows[^1].Date:yyyy-MM-dd} (last {options.Column} {Money(rows[^1].Get(target))}; exchange holidays are not known):");
            foreach (var (name, path) in report.NextPaths)
            {
                output.WriteLine($"{Indent}{name}: " + string.Join("  ", path.Select(d => $"{d.Date:yyyy-MM-dd} {Money(d.Price)}")));
            }
        }
        else
        {
            output.WriteLine("Forecast  none past the end: the last window touches a missing value.");
        }

        output.WriteLine($"Plots     {report.PathsPlotPath} (the paths from {AheadForecastRun.PlottedOrigins} hold-out origins vs actual)");
        output.WriteLine($"{Indent}{report.LossPlotPath} (the encoder-decoder's loss per epoch)");
        output.WriteLine($"Tables    {report.MetricsCsvPath} (the table above, with Diebold-Mariano tests per day)");
        output.WriteLine($"{Indent}{report.PathsCsvPath} (every hold-out path)");
    }

    /// <summary>
    /// What the table says, without flattering either network: which of the two has the lower error on how many days and over
    /// all of them, and whether either beats persistence; on a hold-out too short for skill to mean anything, only that.
    /// </summary>
    /// <param name="days">The table's rows: the days, then the pooled row; persistence, recursive, encoder–decoder.</param>
    /// <param name="holdOut">Origins in the hold-out.</param>
    /// <param name="phi">The generated series' AR(1) coefficient, or null.</param>
    /// <returns>The lines.</returns>
    public static IReadOnlyList<string> Summary(IReadOnlyList<DayAheadMetrics> days, long holdOut, double? phi)
    {
        ArgumentNullException.ThrowIfNull(days);
        var perDay = days.Where(d => d.Day is not null).ToList();
        var pooled = days.Single(d => d.Day is null);
        var lines = new List<string>();
        string recursive = pooled.Models[1].Model, encoderDecoder = pooled.Models[2].Model;
        int encoderDecoderWins = perDay.Count(d => d.Models[2].Rmse < d.Models[1].Rmse);
        lines.Add($"Summary: the {encoderDecoder} has the lower RMSE on {encoderDecoderWins} of {perDay.Count} days, the {recursive} forecast " +
            $"on {perDay.Count(d => d.Models[1].Rmse < d.Models[2].Rmse)}; over all days, skill {Skill(pooled.Models[2].SkillVsPersistence)} " +
            $"vs {Skill(pooled.Models[1].SkillVsPersistence)}.");
        int needed = DieboldMarianoTest.MinimumForecasts(perDay.Count);
        if (holdOut < needed)
        {
            lines.Add($"         The hold-out has only {holdOut} origins, too few to tell skill from luck ({needed} are needed for {perDay.Count} days); " +
                "the table describes these days, nothing more.");
        }
        else if (pooled.Models.Skip(1).All(m => m.SkillVsPersistence <= 0))
        {
            lines.Add("         Neither beats persistence over all days: the moves of the coming days are close to unpredictable.");
        }

        if (phi is double coefficient)
        {
            lines.Add("         On this generated series a perfect model of its momentum scores about " +
                string.Join(", ", perDay.Select(d => ResultsTable.Percent(MomentumSkill.Ideal(coefficient, d.Day!.Value), "0.0"))) +
                $" on days 1 to {perDay.Count}; one hold-out scatters around that by a few points.");
        }

        return lines;
    }

    /// <summary>Whether the interval widens with the day, as it should: the uncertainty of day d includes that of the days before.</summary>
    /// <param name="days">Per day ahead, day 1 first.</param>
    /// <returns>A sentence.</returns>
    public static string WidthTrend(IReadOnlyList<IntervalScore> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        string from = Money(days[0].MeanWidth), to = Money(days[^1].MeanWidth);
        bool widens = days.Zip(days.Skip(1), (a, b) => b.MeanWidth >= a.MeanWidth).All(w => w);
        return widens
            ? $"The interval widens with every day ahead, from {from} on day 1 to {to} on day {days.Count}: the further ahead, the less is known."
            : days[^1].MeanWidth > days[0].MeanWidth
                ? $"The interval widens from {from} on day 1 to {to} on day {days.Count}, though not on every day."
                : $"The interval does NOT widen with the day ({from} on day 1, {to} on day {days.Count}): the network has not learnt that later days are less certain.";
    }

    private static string Skill(double skill) => (skill > 0 ? "+" : "") + ResultsTable.Percent(skill, "0.00");

    private static string Money(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
