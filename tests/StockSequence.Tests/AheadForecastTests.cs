using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence.Tests;

/// <summary><c>--ahead H</c>: its options, the recursive forecast, the per-day metrics and table, the ideal skill, the paths
/// plot and a quick run end to end.</summary>
[TestClass]
public sealed class AheadForecastTests
{
    [TestMethod]
    public void AheadOptionsHaveDefaultsAndParse()
    {
        var defaults = SampleOptions.Parse([]);
        Assert.AreEqual(1, defaults.Ahead);
        Assert.IsFalse(defaults.IsMultiStep, "--ahead 1 is the one-day run of before");
        Assert.AreEqual(RnnContext.LastState, defaults.Context);
        Assert.AreEqual(RnnDecoderInput.EveryStep, defaults.DecoderInput);
        Assert.IsFalse(defaults.FeedPreviousOutput);

        var all = SampleOptions.Parse(["--ahead", "5", "--context", "attention", "--decoder-input=every", "--feed-previous", "on"]);
        Assert.AreEqual(new SampleOptions { Ahead = 5, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.EveryStep, FeedPreviousOutput = true }, all);
        Assert.IsTrue(all.IsMultiStep);
        Assert.AreEqual(RnnContext.LastState, SampleOptions.Parse(["--ahead", "2", "--context", "LAST", "--decoder-input", "initial"]).Context);
        Assert.AreEqual(RnnContext.Projected, SampleOptions.Parse(["--ahead", "2", "--context", "projected"]).Context);
        Assert.AreEqual(RnnDecoderInput.InitialStateAndEveryStep, SampleOptions.Parse(["--ahead", "2", "--decoder-input", "both"]).DecoderInput);
        Assert.IsFalse(SampleOptions.Parse(["--ahead", "2", "--feed-previous", "off"]).FeedPreviousOutput);
        Assert.AreEqual(new SampleOptions { Ahead = 3, Quick = true, Days = 750, Epochs = 2 }, SampleOptions.Parse(["--quick", "--ahead", "3"]));
    }

    [TestMethod]
    public void AheadOptionsThatDoNotFitSayWhatToDoInstead()
    {
        string Fails(params string[] args) => Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(args)).Message;

        Assert.AreEqual("--ahead 3 forecasts every day from 1 to 3 ahead and needs --horizon 1 (got --horizon 2): the recursive forecast " +
            "it is compared with chains one-day forecasts. Use --horizon 2 alone for day 2, or --ahead 3 for days 1 to 3.",
            Fails("--ahead", "3", "--horizon", "2"));
        Assert.Contains("or --ahead 7 for days 1 to 7", Fails("--horizon", "7", "--ahead", "3"), "the order on the command line does not matter");
        Assert.Contains("between 1 and 250; got 0", Fails("--ahead", "0"));
        Assert.Contains("--folds", Fails("--ahead", "3", "--folds", "2"));
        Assert.Contains("--context sets up the encoder-decoder of --ahead H, which runs only for H > 1 (got --ahead 1)", Fails("--context", "attention"));
        Assert.Contains("--feed-previous sets up", Fails("--ahead", "1", "--feed-previous", "on"));
        Assert.Contains("needs --decoder-input every or both", Fails("--ahead", "3", "--context", "attention", "--decoder-input", "initial"));
        Assert.Contains("last, projected or attention; got 'mean'", Fails("--ahead", "3", "--context", "mean"));
        Assert.Contains("initial, every or both; got 'all'", Fails("--ahead", "3", "--decoder-input", "all"));
        Assert.Contains("on or off; got 'yes'", Fails("--ahead", "3", "--feed-previous", "yes"));
    }

    /// <summary>A one-day rule that continues the window's last step: x_next = 2 x_t − x_{t−1}. Linear in the window, so on a
    /// straight line of prices it is exact, and so is every step of its recursion, whatever the normalisation.</summary>
    private sealed class TrendForecaster(int windowLength) : IForecaster
    {
        public List<float> FitLabels { get; } = [];

        public string Name => "Trend";

        public void Fit(IDataView trainingWindows) => FitLabels.AddRange(trainingWindows.GetColumn<float>("Label"));

        public float[] Predict(IDataView windows) => WindowReader.Read(windows, dateColumn: null)
            .Select(w => 2 * w.Features[windowLength - 1] - w.Features[windowLength - 2]).ToArray();
    }

    private static PathWindow Window(IReadOnlyList<double> prices, int start, int length, int days, SequenceWindowNormalization normalization)
    {
        double reference = normalization switch
        {
            SequenceWindowNormalization.RelativeToLast => prices[start + length - 1],
            SequenceWindowNormalization.RelativeToFirst => prices[start],
            _ => double.NaN,
        };
        float Normalize(double p) => normalization == SequenceWindowNormalization.None ? (float)p : (float)(p / reference - 1.0);
        return new PathWindow(prices.Skip(start).Take(length).Select(Normalize).ToArray(), prices.Skip(start + length).Take(days).Select(Normalize).ToArray(),
            (float)reference, default);
    }

    [TestMethod]
    [DataRow(SequenceWindowNormalization.RelativeToLast)]
    [DataRow(SequenceWindowNormalization.RelativeToFirst)]
    [DataRow(SequenceWindowNormalization.None)]
    public void RecursiveForecastOfALinearRuleOnALinearTrendIsExact(SequenceWindowNormalization normalization)
    {
        const int length = 6, days = 5;
        double[] prices = Enumerable.Range(0, 40).Select(t => 50 + 1.5 * t).ToArray();
        var windows = Enumerable.Range(0, 20).Select(s => Window(prices, s, length, days, normalization)).ToList();
        var mlContext = new MLContext(1);
        var rule = new TrendForecaster(length);
        var recursive = new RecursiveForecaster(mlContext, new WindowLayout(length, 1, 0), rule, days, normalization);

        recursive.Fit(windows.Take(10).ToList());
        CollectionAssert.AreEqual(windows.Take(10).Select(w => w.Labels[0]).ToArray(), rule.FitLabels, "the one-day model learns day 1 of each window");

        float[][] paths = recursive.Predict(windows.Skip(10).ToList());
        Assert.HasCount(10, paths);
        for (int i = 0; i < 10; i++)
        {
            int start = 10 + i;
            for (int d = 0; d < days; d++)
            {
                double price = SequenceWindowNormalizer.Denormalize(paths[i][d], windows[start].Reference, normalization);
                // The line continued: the price d + 1 days after the window's last day.
                Assert.AreEqual(50 + 1.5 * (start + length + d), price, 1e-3, $"window {start}, day {d + 1}");
            }
        }

        Assert.AreEqual("Trend recursive", recursive.Name);
        Assert.AreEqual(days, recursive.Steps);
    }

    /// <summary>A one-day rule that is not invariant to the reference: the last normalised value plus 0.01, which is 1% of the
    /// window's reference added to its last price. It tells a window normalised against the wrong value from the right one.</summary>
    private sealed class OnePercentForecaster(int windowLength) : IForecaster
    {
        public string Name => "Plus 1%";

        public void Fit(IDataView trainingWindows)
        {
        }

        public float[] Predict(IDataView windows) => WindowReader.Read(windows, dateColumn: null).Select(w => w.Features[windowLength - 1] + 0.01f).ToArray();
    }

    [TestMethod]
    [DataRow(SequenceWindowNormalization.RelativeToLast)]
    [DataRow(SequenceWindowNormalization.RelativeToFirst)]
    [DataRow(SequenceWindowNormalization.None)]
    public void EveryStepIsNormalisedAgainstItsOwnWindow(SequenceWindowNormalization normalization)
    {
        const int length = 4, days = 4;
        double[] prices = [100, 104, 103, 108, 0, 0, 0, 0];
        var window = Window(prices, 0, length, days, normalization);
        float[] path = new RecursiveForecaster(new MLContext(1), new WindowLayout(length, 1, 0), new OnePercentForecaster(length), days, normalization)
            .Predict([window])[0];

        // What the rule means in prices, day after day, on the window that ends with the previous forecast: relative to the
        // last price, +1% of it (1.01^d growth); relative to the first, +1% of the window's first price; unnormalised, +0.01.
        var expected = prices.Take(length).ToList();
        for (int d = 0; d < days; d++)
        {
            var current = expected.Skip(expected.Count - length).ToList();
            expected.Add(normalization switch
            {
                SequenceWindowNormalization.RelativeToLast => current[^1] * 1.01,
                SequenceWindowNormalization.RelativeToFirst => current[^1] + 0.01 * current[0],
                _ => current[^1] + 0.01,
            });
        }

        for (int d = 0; d < days; d++)
        {
            Assert.AreEqual(expected[length + d], SequenceWindowNormalizer.Denormalize(path[d], window.Reference, normalization), 1e-3, $"day {d + 1}");
        }

        if (normalization == SequenceWindowNormalization.RelativeToLast)
        {
            Assert.AreEqual(108 * Math.Pow(1.01, 4), expected[^1], 1e-9);
        }
    }

    [TestMethod]
    public void RecursivePersistenceIsAFlatPathAndTheTrendRuleIsNotFooledByACurve()
    {
        const int length = 4, days = 3;
        var layout = new WindowLayout(length, 1, 0);
        var mlContext = new MLContext(1);
        // A parabola p(t) = 100 + a t² (a = 1/2): from the window's last day t = 3, the rule continues the last step,
        // p(3) + (p(3) − p(2)) d, while the curve reaches p(3 + d) = p(3) + 6a d + a d², short of it by a d (d + 1).
        double[] prices = Enumerable.Range(0, 12).Select(t => 100 + 0.5 * t * t).ToArray();
        var window = Window(prices, 0, length, days, SequenceWindowNormalization.RelativeToLast);

        float[] flat = new RecursiveForecaster(mlContext, layout, new PersistenceForecaster(layout), days, SequenceWindowNormalization.RelativeToLast)
            .Predict([window])[0];
        CollectionAssert.AreEqual(new PersistencePathForecaster(layout, days).Predict([window])[0], flat);
        CollectionAssert.AreEqual(new float[days], flat, "relative to the last price, persistence is 0 on every day");

        float[] line = new RecursiveForecaster(mlContext, layout, new TrendForecaster(length), days, SequenceWindowNormalization.RelativeToLast)
            .Predict([window])[0];
        double last = prices[length - 1], slope = prices[length - 1] - prices[length - 2];
        for (int d = 1; d <= days; d++)
        {
            double price = SequenceWindowNormalizer.Denormalize(line[d - 1], window.Reference, SequenceWindowNormalization.RelativeToLast);
            Assert.AreEqual(last + slope * d, price, 1e-3, $"day {d}: the last step, continued");
            Assert.AreEqual(0.5 * d * (d + 1), prices[length - 1 + d] - price, 1e-3, $"day {d}: short of the parabola by a d (d + 1)");
        }
    }

    [TestMethod]
    public void RecursiveForecastNeedsWindowsOfTheTargetAlone()
    {
        var layout = new WindowLayout(5, 2, 0);
        string message = Assert.ThrowsExactly<ArgumentException>(() =>
            new RecursiveForecaster(new MLContext(1), layout, new PersistenceForecaster(layout), 3, SequenceWindowNormalization.RelativeToLast)).Message;
        Assert.Contains("1 feature per step; got 2", message);
    }

    [TestMethod]
    public void IdealMomentumSkillFallsWithTheDaysAhead()
    {
        Assert.AreEqual(0.04, MomentumSkill.Ideal(0.2, 1), 1e-12, "phi² for the next day");
        // Day 2: (phi + phi²)² / (2 + 2 phi) = 0.0576 / 2.4.
        Assert.AreEqual(0.024, MomentumSkill.Ideal(0.2, 2), 1e-12);
        // Day 3: (phi + phi² + phi³)² / (3 + 2 (2 phi + phi²)) = 0.248² / 3.88.
        Assert.AreEqual(0.248 * 0.248 / 3.88, MomentumSkill.Ideal(0.2, 3), 1e-12);
        Assert.AreEqual(0, MomentumSkill.Ideal(0, 4));
        Assert.IsLessThan(MomentumSkill.Ideal(0.2, 4), MomentumSkill.Ideal(0.2, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MomentumSkill.Ideal(1, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MomentumSkill.Ideal(0.2, 0));
    }

    [TestMethod]
    public void PerDayMetricsAndTableMatchAHandComputation()
    {
        double[] last = [10, 20];
        double[][] actual = [[11, 12], [19, 18]];
        double[][] persistence = [[10, 10], [20, 20]];
        double[][] model = [[11, 11], [20, 19]];
        var rows = DayAheadMetrics.Compute(["Persistence", "Model"], actual, [persistence, model], last);

        // Day 1: persistence errors -1, +1 (RMSE 1, MAE 1); the model's 0, +1 (MSE 1/2, MAE 1/2): skill 1 - (1/2)/1 = 50%.
        // Day 2: persistence errors -2, +2 (RMSE 2); the model's -1, +1 (RMSE 1): skill 1 - 1/4 = 75%.
        // All: persistence MSE (1 + 1 + 4 + 4)/4 = 5/2, the model's (0 + 1 + 1 + 1)/4 = 3/4: skill 1 - 3/10 = 70%.
        Assert.HasCount(3, rows);
        CollectionAssert.AreEqual(new int?[] { 1, 2, null }, rows.Select(r => r.Day).ToArray());
        Assert.AreEqual(1, rows[0].Models[0].Rmse, 1e-12);
        Assert.AreEqual(Math.Sqrt(0.5), rows[0].Models[1].Rmse, 1e-12);
        Assert.AreEqual(0.5, rows[0].Models[1].Mae, 1e-12);
        Assert.AreEqual(0.5, rows[0].Models[1].SkillVsPersistence, 1e-12);
        Assert.AreEqual(2, rows[1].Models[0].Rmse, 1e-12);
        Assert.AreEqual(0.75, rows[1].Models[1].SkillVsPersistence, 1e-12);
        Assert.AreEqual(Math.Sqrt(2.5), rows[2].Models[0].Rmse, 1e-12);
        Assert.AreEqual(Math.Sqrt(0.75), rows[2].Models[1].Rmse, 1e-12);
        Assert.AreEqual(0.7, rows[2].Models[1].SkillVsPersistence, 1e-12);

        string[] lines = DayAheadTable.Render(rows).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(6, lines, "names, header, rule, 2 days, all");
        string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        CollectionAssert.AreEqual(new[] { "Persistence", "Model" }, Cells(lines[0]));
        CollectionAssert.AreEqual(new[] { "Day", "ahead", "RMSE", "MAE", "RMSE", "MAE", "Skill" }, Cells(lines[1]));
        CollectionAssert.AreEqual(new[] { "1", "1.0000", "1.0000", "0.7071", "0.5000", "+50.00%" }, Cells(lines[3]));
        CollectionAssert.AreEqual(new[] { "2", "2.0000", "2.0000", "1.0000", "1.0000", "+75.00%" }, Cells(lines[4]));
        CollectionAssert.AreEqual(new[] { "all", "1.5811", "1.5000", "0.8660", "0.7500", "+70.00%" }, Cells(lines[5]));
        Assert.IsTrue(lines.Skip(1).All(l => l.Length == lines[1].Length), "the columns line up");
        Assert.IsTrue(lines[0].TrimEnd().Length <= lines[1].Length, "the names stay over their columns");

        Assert.ThrowsExactly<ArgumentException>(() => DayAheadMetrics.Compute(["Persistence"], actual, [[[10, 10]]], last));
    }

    [TestMethod]
    public void PathsPlotDrawsEveryPathFromItsOriginWithOneLegendEntryPerForecaster()
    {
        var origin1 = new DateTime(2020, 1, 6);
        var origin2 = new DateTime(2020, 1, 8);
        DateTime[] dates = Enumerable.Range(0, 6).Select(d => origin1.AddDays(d)).ToArray();
        var paths = new List<(string, IReadOnlyList<PricePath>)>
        {
            ("A", [new PricePath(origin1, 10, [dates[1], dates[2]], [11, 12]), new PricePath(origin2, 12, [dates[3], dates[4]], [12, 13])]),
            ("B", [new PricePath(origin1, 10, [dates[1], dates[2]], [10, 10]), new PricePath(origin2, 12, [dates[3], dates[4]], [12, 12])]),
        };
        var plot = ForecastPlots.PathsVsActual("t", "Close", dates, [10, 11, 12, 12, 13, 13], paths);

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.HasCount(5, lines, "the actual line and 2 paths of each forecaster");
        CollectionAssert.AreEqual(new[] { "actual", "A", "", "B", "" }, lines.Select(l => l.LegendText ?? "").ToArray());
        var first = lines[1].Data.GetScatterPoints();
        Assert.HasCount(3, first, "the origin, then the 2 days");
        Assert.AreEqual(origin1.ToOADate(), first[0].X);
        Assert.AreEqual(10, first[0].Y);
        Assert.AreEqual(12, first[2].Y);

        Assert.ThrowsExactly<ArgumentException>(() => ForecastPlots.PathsVsActual("t", "Close", dates, [1, 2], paths));
        Assert.ThrowsExactly<ArgumentException>(() => ForecastPlots.PathsVsActual("t", "Close", dates, [10, 11, 12, 12, 13, 13],
            [("A", [new PricePath(origin1, 10, [dates[1]], [11, 12])])]));
    }

    [TestMethod]
    public void QuickAheadRunWritesTheTablePlotAndPathsOnTheOneDayRunsWindows()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.AreEqual(0, StockSequenceApp.Run(["--quick", "--ahead", "3", "--hidden", "8", "--out", outDir], output, error), error.ToString());
            var report = new AheadForecastRun(SampleOptions.Parse(["--quick", "--ahead", "3", "--hidden", "8", "--out", outDir]), new StringWriter()).Execute();

            Assert.AreEqual(750, report.SeriesRows);
            Assert.AreEqual(698, report.Windows.WindowsProduced, "750 days - 50 window - 3 label days + 1");
            Assert.AreEqual(105, report.Split.HoldOut, "15% of 698");
            Assert.AreEqual(2, report.Split.Gap, "the 2 windows whose labels reach into the hold-out are left out");
            Assert.AreEqual(698 - 105 - 2, report.Split.Training);
            Assert.AreEqual(report.OneDay.TrainingWindows, report.EncoderDecoder.TrainingWindows, "both networks learn from the same windows");
            Assert.AreEqual(report.OneDay.ValidationWindows, report.EncoderDecoder.ValidationWindows);

            CollectionAssert.AreEqual(new int?[] { 1, 2, 3, null }, report.Days.Select(d => d.Day).ToArray());
            CollectionAssert.AreEqual(new[] { "Persistence", "LSTM 8 recursive", "LSTM 8 encoder-decoder" },
                report.Days[0].Models.Select(m => m.Model).ToArray());
            foreach (var day in report.Days)
            {
                Assert.AreEqual(0, day.Models[0].SkillVsPersistence);
                Assert.IsTrue(day.Models.All(m => double.IsFinite(m.Rmse) && m.Rmse > 0 && m.Mae <= m.Rmse));
            }

            // A random walk's error grows with the days ahead: persistence's RMSE on day 3 is well above day 1's (about sqrt(3) times).
            Assert.IsGreaterThan(1.3 * report.Days[0].Models[0].Rmse, report.Days[2].Models[0].Rmse);

            byte[] png = File.ReadAllBytes(report.PathsPlotPath);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.IsTrue(File.Exists(report.LossPlotPath));
            Assert.HasCount(1 + 4 * 3, File.ReadAllLines(report.MetricsCsvPath), "header + 3 forecasters x (3 days + all)");

            // The paths file: 3 lines per origin. The actual price 1 day after an origin is the last price the next origin saw,
            // and 2 days after it is the one after that: the labels are the days that follow each window.
            string[] lines = File.ReadAllLines(report.PathsCsvPath);
            Assert.HasCount(1 + 105 * 3, lines);
            Assert.AreEqual("Origin,LastObserved,DayAhead,Date,Actual,\"LSTM 8 recursive\",\"LSTM 8 encoder-decoder\"", lines[0]);
            var cells = lines.Skip(1).Select(l => l.Split(',')).ToList();
            double Cell(int row, int column) => double.Parse(cells[row][column], CultureInfo.InvariantCulture);
            for (int origin = 0; origin + 2 < 105; origin++)
            {
                Assert.AreEqual(Cell(3 * (origin + 1), 1), Cell(3 * origin, 4), 1e-3, $"origin {origin}, day 1");
                Assert.AreEqual(Cell(3 * (origin + 2), 1), Cell(3 * origin + 1, 4), 1e-3, $"origin {origin}, day 2");
                Assert.AreEqual(cells[3 * (origin + 1)][0], cells[3 * origin][3], "day 1's date is the next origin");
            }

            var series = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 750, Seed = 42 });
            Assert.AreEqual(series[^1].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cells[^1][3], "the last path ends on the last day");
            Assert.AreEqual(series[^1].Close, Cell(cells.Count - 1, 4), 1e-3);

            Assert.HasCount(2, report.NextPaths);
            Assert.IsTrue(report.NextPaths.Values.All(p => p.Count == 3 && p[0].Date > series[^1].Date
                && p.All(d => d.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))));

            string text = output.ToString();
            Assert.Contains(DayAheadTable.Render(report.Days), text, "the same table, printed");
            Assert.Contains("Summary: the LSTM 8 encoder-decoder has the lower RMSE on ", text);
            Assert.Contains("4.0%, 2.4%, 1.6% on days 1 to 3", text);
            Assert.Contains(report.PathsPlotPath, text);
            Assert.DoesNotContain("\u001b", text);

            // The encoder-decoder's intervals (Student-t by default), per day: every origin scored on every day, so the pooled
            // width is the mean of the days' widths and the pooled coverage the mean of theirs.
            Assert.IsNotNull(report.Intervals);
            Assert.HasCount(3, report.Intervals.Days);
            Assert.IsTrue(report.Intervals.Days.All(d => d.Count + d.Unknown == 105));
            Assert.AreEqual(report.Intervals.Days.Average(d => d.MeanWidth), report.Intervals.All.Score.MeanWidth, 1e-9);
            Assert.AreEqual(report.Intervals.Days.Average(d => d.Coverage), report.Intervals.All.Score.Coverage, 1e-9);
            Assert.IsNotNull(report.Intervals.All.CalibrationFactor, "calibrated on the validation windows");
            Assert.Contains(DayAheadTable.RenderIntervals(report.Intervals.Days, report.Intervals.All.Score), text, "the per-day interval table, printed");
            Assert.Contains("Intervals of the LSTM 8 encoder-decoder, 95% Student-t, per day ahead on the hold-out", text);
            Assert.Contains(AheadReportWriter.WidthTrend(report.Intervals.Days), text);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [TestMethod]
    public void AheadRunRefusesASeriesTooShortForItsDays()
    {
        var error = new StringWriter();
        Assert.AreEqual(1, StockSequenceApp.Run(["--ahead", "5", "--days", "60", "--epochs", "1", "--out",
            Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"))], new StringWriter(), error));
        Assert.Contains("The series has 60 days: too few for windows of 50 days and 5 days after each", error.ToString());
    }
}
