using System.Globalization;
using Microsoft.ML.Rnn;
using StockSequence.Forecasting;

namespace StockSequence.Tests;

/// <summary>The sample's probabilistic forecasts: the option, the intervals mapped back to prices, their coverage and width,
/// the fan chart and the report's lines.</summary>
[TestClass]
public sealed class IntervalTests
{
    [TestMethod]
    public void DistributionOptionDefaultsToStudentTAndParsesEveryKind()
    {
        Assert.AreEqual(RnnDistribution.StudentT, SampleOptions.Parse([]).Distribution);
        Assert.IsTrue(SampleOptions.Parse([]).HasIntervals);
        Assert.AreEqual(RnnDistribution.None, SampleOptions.Parse(["--distribution", "none"]).Distribution);
        Assert.IsFalse(SampleOptions.Parse(["--distribution", "none"]).HasIntervals);
        Assert.AreEqual(RnnDistribution.Normal, SampleOptions.Parse(["--distribution=normal"]).Distribution);
        Assert.AreEqual(RnnDistribution.StudentT, SampleOptions.Parse(["--distribution", "StudentT"]).Distribution);
        Assert.AreEqual(RnnDistribution.StudentT, SampleOptions.Parse(["--distribution", "student-t"]).Distribution);
        Assert.AreEqual(new SampleOptions { Distribution = RnnDistribution.Normal, Ahead = 3 },
            SampleOptions.Parse(["--ahead", "3", "--distribution", "normal"]));

        Assert.AreEqual("--distribution must be none, normal or studentt; got 'gamma'.",
            Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(["--distribution", "gamma"])).Message);
        Assert.AreEqual("--distribution needs a value.",
            Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(["--distribution"])).Message);
        Assert.Contains("--distribution K", SampleOptions.HelpText);
    }

    [TestMethod]
    public void IntervalsMapBackToPricesAsTheForecastDoes()
    {
        // Relative to the window's last price 200: y = -0.02 is 200 * 0.98 = 196, y = 0.03 is 200 * 1.03 = 206.
        var interval = new NormalizedInterval(-0.02f, 0.03f);
        PriceInterval last = interval.ToPrices(200f, SequenceWindowNormalization.RelativeToLast);
        Assert.AreEqual(196.0, last.Lower, 1e-4);
        Assert.AreEqual(206.0, last.Upper, 1e-4);
        Assert.AreEqual(10.0, last.Width, 1e-4);
        // The same map for the first price; width scales with the reference: 50 * 0.05 = 2.5.
        PriceInterval first = interval.ToPrices(50f, SequenceWindowNormalization.RelativeToFirst);
        Assert.AreEqual(49.0, first.Lower, 1e-5);
        Assert.AreEqual(51.5, first.Upper, 1e-5);
        // No normalisation: the values themselves, the reference ignored.
        PriceInterval none = new NormalizedInterval(98.5f, 101.25f).ToPrices(float.NaN, SequenceWindowNormalization.None);
        Assert.AreEqual(98.5, none.Lower);
        Assert.AreEqual(101.25, none.Upper);

        // The point forecast goes through the same map, so a label inside the network's interval is a price inside this one:
        // y = 0.025 -> 205, inside [196, 206]; y = 0.031 -> 206.2, outside.
        Assert.IsTrue(last.Contains(SequenceWindowNormalizer.Denormalize(0.025f, 200f, SequenceWindowNormalization.RelativeToLast)));
        Assert.IsFalse(last.Contains(SequenceWindowNormalizer.Denormalize(0.031f, 200f, SequenceWindowNormalization.RelativeToLast)));
        // NaN bounds (a scale the model could not use) stay unknown.
        Assert.IsFalse(new NormalizedInterval(float.NaN, float.NaN).ToPrices(200f, SequenceWindowNormalization.RelativeToLast).IsKnown);
    }

    [TestMethod]
    public void ScoreCountsCoverageAndWidthSkippingUnknowns()
    {
        // 10 in [9, 11] (width 2); 12 not in [12.5, 13] (0.5); 15 on the end of [14, 15] (1), which counts as inside;
        // a NaN actual is skipped; NaN bounds are counted as unknown.
        IntervalScore score = IntervalScore.Compute([10, 12, 15, double.NaN, 20],
            [new(9, 11), new(12.5, 13), new(14, 15), new(0, 1), new(double.NaN, double.NaN)]);
        Assert.AreEqual(3, score.Count);
        Assert.AreEqual(2.0 / 3, score.Coverage, 1e-12);
        Assert.AreEqual(3.5 / 3, score.MeanWidth, 1e-12);
        Assert.AreEqual(1, score.Unknown);
        Assert.IsTrue(double.IsNaN(IntervalScore.Compute([1], [new(double.NaN, 2)]).Coverage));
        Assert.ThrowsExactly<ArgumentException>(() => IntervalScore.Compute([1, 2], [new(0, 3)]));
    }

    [TestMethod]
    public void CoverageTestIsTheTwoSidedBinomial()
    {
        // 10 of 10 inside at a nominal 50%: P(X >= 10) = 1/1024, doubled.
        Assert.AreEqual(2.0 / 1024, new IntervalScore(10, 1.0, 1, 0).CoveragePValue(0.5), 1e-12);
        Assert.AreEqual(2.0 / 1024, new IntervalScore(10, 0.0, 1, 0).CoveragePValue(0.5), 1e-12);
        // 1 of 2 at 50%: both tails are 3/4, so p = min(1, 1.5) = 1.
        Assert.AreEqual(1.0, new IntervalScore(2, 0.5, 1, 0).CoveragePValue(0.5), 1e-12);
        // 18 of 20 at 95%: P(X <= 18) = 1 - 0.95^20 - 20 * 0.05 * 0.95^19 = 0.264160..., doubled.
        double p = 2 * (1 - Math.Pow(0.95, 20) - 20 * 0.05 * Math.Pow(0.95, 19));
        Assert.AreEqual(p, new IntervalScore(20, 0.9, 1, 0).CoveragePValue(0.95), 1e-9);

        Assert.Contains("within chance of the nominal 95%", ReportWriter.CoverageVerdict(new IntervalScore(20, 0.9, 1, 0), 0.95));
        Assert.Contains("below the nominal 50% by more than chance (binomial test p = 0.002): the intervals are too narrow here",
            ReportWriter.CoverageVerdict(new IntervalScore(10, 0.0, 1, 0), 0.5));
        Assert.Contains("above the nominal 50% by more than chance", ReportWriter.CoverageVerdict(new IntervalScore(10, 1.0, 1, 0), 0.5));
    }

    [TestMethod]
    public void ReportLinesSayWhatTheIntervalDidAndWhetherItWasCalibrated()
    {
        var calibrated = new IntervalReport("LSTM 32", "Student-t", 0.95, new IntervalScore(200, 0.935, 12.345, 0), 1.25f, 336, null);
        Assert.AreEqual("Interval  LSTM 32, 95% Student-t interval: hold-out coverage 93.5% of 200 prices (nominal 95%), mean width 12.35 in price units",
            ReportWriter.IntervalLine(calibrated));
        Assert.AreEqual("calibrated: split-conformal on the 336 validation windows (the latest training windows, before the hold-out), every " +
            "predicted scale multiplied by 1.250; the hold-out played no part", calibrated.CalibrationText);
        Assert.StartsWith("NOT calibrated", (calibrated with { CalibrationFactor = null }).CalibrationText);
    }

    [TestMethod]
    public void PerDayIntervalTableAndWidthTrend()
    {
        IntervalScore[] days = [new(10, 0.9, 2.5, 0), new(10, 0.8, 3.25, 0)];
        string table = DayAheadTable.RenderIntervals(days, new IntervalScore(20, 0.85, 2.875, 0));
        Assert.AreEqual(
            "Day ahead  Coverage  Mean width" + Environment.NewLine +
            "-------------------------------" + Environment.NewLine +
            "1             90.0%      2.5000" + Environment.NewLine +
            "2             80.0%      3.2500" + Environment.NewLine +
            "all           85.0%      2.8750" + Environment.NewLine, table);
        Assert.AreEqual("The interval widens with every day ahead, from 2.50 on day 1 to 3.25 on day 2: the further ahead, the less is known.",
            AheadReportWriter.WidthTrend(days));
        Assert.Contains("does NOT widen", AheadReportWriter.WidthTrend([days[1], days[0]]));
        Assert.Contains("though not on every day", AheadReportWriter.WidthTrend([new(1, 1, 2, 0), new(1, 1, 4, 0), new(1, 1, 3, 0)]));
    }

    [TestMethod]
    public void FanChartShadesTheIntervalUnderTheLines()
    {
        DateTime[] dates = [new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4)];
        ScottPlot.Plot plot = ForecastPlots.FanChart("t", "Close (price)", dates, [10, 11, 12], ("LSTM 32", [10.2, 10.9, 11.5]),
            [new(9, 11), new(double.NaN, double.NaN), new(10, 13)], "95% interval");
        Assert.HasCount(1, plot.GetPlottables<ScottPlot.Plottables.FillY>());
        CollectionAssert.AreEqual(new[] { "actual", "LSTM 32" }, plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(p => p.LegendText).ToArray());
        Assert.IsInstanceOfType<ScottPlot.Plottables.FillY>(plot.GetPlottables().First(), "the band first, so the lines are drawn over it");
        Assert.ThrowsExactly<ArgumentException>(() => ForecastPlots.FanChart("t", "v", dates, [10, 11, 12], ("m", [1, 2, 3]), [new(0, 1)], "i"));
    }

    [TestMethod]
    public void QuickRunPrintsCoverageAndWritesTheFanChart()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var report = new StockForecastRun(SampleOptions.Parse(["--quick", "--hidden", "8", "--out", outDir]), output).Execute();
            string text = output.ToString();

            Assert.IsNotNull(report.Interval);
            Assert.AreEqual("Student-t", report.Interval.Distribution);
            Assert.AreEqual(105, report.Interval.Score.Count + report.Interval.Score.Unknown, "every hold-out window");
            Assert.AreEqual(60, report.Interval.ValidationWindows, "calibrated on the RNN's validation windows");
            Assert.IsNotNull(report.Interval.CalibrationFactor);
            Assert.Contains(ReportWriter.IntervalLine(report.Interval), text);
            Assert.Contains("Interval  LSTM 8, 95% Student-t interval: hold-out coverage ", text);
            Assert.Contains("calibrated: split-conformal on the 60 validation windows", text);
            Assert.Contains("the hold-out played no part", text);
            Assert.Contains(report.Interval.FanChartPath!, text);
            byte[] png = File.ReadAllBytes(report.Interval.FanChartPath!);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

            // The printed coverage and width are those of the bounds in the CSV, recomputed here: ordered ends, the actual
            // price inside or not, the mean of upper - lower.
            var rows = File.ReadAllLines(report.ForecastsCsvPath).Skip(1).Select(l => l.Split(',').Skip(1).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.HasCount(105, rows);
            Assert.IsTrue(rows.All(r => r[^2] <= r[^1]), "the map back to prices keeps the ends in order");
            Assert.IsTrue(rows.All(r => r[^2] <= r[^3] && r[^3] <= r[^1]), "the forecast (the mean of a symmetric distribution) lies inside");
            double coverage = rows.Count(r => r[^2] <= r[1] && r[1] <= r[^1]) / 105.0;
            Assert.AreEqual(coverage, report.Interval.Score.Coverage, 1.5 / 105, "the CSV rounds to 6 decimals: at most one price may flip");
            Assert.AreEqual(rows.Average(r => r[^1] - r[^2]), report.Interval.Score.MeanWidth, 1e-4);
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
    public void PointForecastAndUncalibratedRunsSaySo()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.AreEqual(0, StockSequenceApp.Run(["--quick", "--epochs", "1", "--hidden", "4", "--distribution", "none", "--out", outDir], output, error), error.ToString());
            Assert.DoesNotContain("Interval  ", output.ToString());
            Assert.Contains("losses are mean squared errors", output.ToString());
            Assert.IsFalse(File.Exists(Path.Combine(outDir, "holdout-interval.png")));

            output = new StringWriter();
            var report = new StockForecastRun(SampleOptions.Parse(["--quick", "--epochs", "1", "--hidden", "4", "--distribution", "normal",
                "--patience", "0", "--out", outDir]), output).Execute();
            Assert.IsNotNull(report.Interval);
            Assert.IsNull(report.Interval.CalibrationFactor, "no validation windows, nothing to calibrate on");
            Assert.Contains("95% Normal interval: hold-out coverage", output.ToString());
            Assert.Contains("NOT calibrated", output.ToString());
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }
}
