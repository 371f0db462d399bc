using Microsoft.ML;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence.Tests;

[TestClass]
public sealed class StockSequenceSampleTests
{
    [TestMethod]
    public void SyntheticSeriesIsReproducibleAndPlausible()
    {
        var parameters = new SyntheticPriceParameters { Days = 500, Seed = 7 };
        var a = SyntheticPriceSeries.Generate(parameters);
        var b = SyntheticPriceSeries.Generate(parameters);
        var c = SyntheticPriceSeries.Generate(parameters with { Seed = 8 });

        Assert.HasCount(500, a);
        CollectionAssert.AreEqual(a.Select(r => r.Close).ToArray(), b.Select(r => r.Close).ToArray());
        CollectionAssert.AreNotEqual(a.Select(r => r.Close).ToArray(), c.Select(r => r.Close).ToArray());
        Assert.AreEqual(100, a[0].Close);
        foreach (var row in a)
        {
            Assert.IsTrue(row.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"{row.Date} is a weekend");
            Assert.IsTrue(row.Low > 0 && row.Low <= Math.Min(row.Open, row.Close) && row.High >= Math.Max(row.Open, row.Close),
                $"{row.Date}: O {row.Open} H {row.High} L {row.Low} C {row.Close}");
        }

        Assert.IsTrue(a.Zip(a.Skip(1)).All(p => p.Second.Date > p.First.Date));
    }

    [TestMethod]
    public void SyntheticReturnsHaveTheWeakMomentumAndTheVolatilityClustering()
    {
        var rows = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 20_000, Seed = 3 });
        double[] r = rows.Zip(rows.Skip(1), (p, q) => Math.Log(q.Close / p.Close)).ToArray();
        double[] squared = r.Select(x => x * x).ToArray();

        double momentum = Autocorrelation(r);
        double clustering = Autocorrelation(squared);
        double annualVolatility = Math.Sqrt(squared.Average() * 252);

        Assert.AreEqual(0.2, momentum, 0.05, "lag-1 autocorrelation of returns: the predictable part (phi)");
        Assert.IsGreaterThan(0.1, clustering, "lag-1 autocorrelation of squared returns: volatility clusters");
        Assert.AreEqual(0.19, annualVolatility, 0.04, "about 19% a year");
    }

    private static double Autocorrelation(double[] x)
    {
        double mean = x.Average();
        double numerator = 0, denominator = 0;
        for (int i = 0; i < x.Length; i++)
        {
            denominator += (x[i] - mean) * (x[i] - mean);
            if (i > 0)
            {
                numerator += (x[i] - mean) * (x[i - 1] - mean);
            }
        }

        return numerator / denominator;
    }

    [TestMethod]
    public void MetricsMatchAHandComputation()
    {
        double[] actual = [10, 12, 9];
        double[] last = [10, 10, 10];

        var model = ForecastMetrics.Compute("m", actual, [11, 11, 11], last);
        var persistence = ForecastMetrics.Compute("p", actual, last, last);

        // Errors 1, -1, 2: MSE 2, MAE 4/3. Persistence errors 0, -2, 1: MSE 5/3. Moves: none, up, down; the model says up.
        Assert.AreEqual(Math.Sqrt(2), model.Rmse, 1e-12);
        Assert.AreEqual(4.0 / 3, model.Mae, 1e-12);
        Assert.AreEqual(1 - 2 / (5.0 / 3), model.SkillVsPersistence, 1e-12);
        Assert.AreEqual(0.5, model.DirectionAccuracy);
        // Squared-error differences 1 - 0, 1 - 4, 4 - 1 = 1, -3, 3: mean 1/3, sample variance (4 + 100 + 64) / 9 / 2 = 28/3.
        // One step ahead, the corrected Diebold-Mariano statistic is their one-sample t, and with 2 degrees of freedom the
        // two-sided p-value is 1 - |t| / sqrt(2 + t²).
        double t = (1.0 / 3) / Math.Sqrt(28.0 / 3 / 3);
        Assert.AreEqual(t, model.DieboldMariano!.Statistic, 1e-12);
        Assert.AreEqual(2, model.DieboldMariano.DegreesOfFreedom);
        Assert.AreEqual(1 - t / Math.Sqrt(2 + t * t), model.DieboldMariano.PValue, 1e-9);
        Assert.AreEqual(0, persistence.SkillVsPersistence);
        Assert.IsNull(persistence.DirectionAccuracy, "persistence never predicts a move");
        Assert.IsNull(persistence.DieboldMariano, "identical errors: nothing to test");
    }

    [TestMethod]
    public void OptionsHaveDefaultsAndParseEveryOption()
    {
        var defaults = SampleOptions.Parse([]);
        Assert.IsNull(defaults.CsvPath);
        Assert.AreEqual("Close", defaults.Column);
        Assert.AreEqual(50, defaults.Window);
        Assert.AreEqual(1, defaults.Horizon);
        Assert.AreEqual(SequenceWindowNormalization.RelativeToLast, defaults.Normalization);
        Assert.AreEqual(RnnCellType.Lstm, defaults.Cell);
        Assert.AreEqual(30, defaults.Epochs);
        Assert.AreEqual(5, defaults.Patience);
        Assert.AreEqual(0, defaults.Folds, "no walk-forward report unless asked for");

        var all = SampleOptions.Parse(["--csv", "a.csv", "--column=Adj Close", "--window", "30", "--horizon", "5",
            "--cell", "GRU", "--hidden", "64", "--layers", "2", "--epochs", "7", "--out", "o", "--normalization", "first",
            "--seed", "9", "--days", "300", "--patience", "0", "--folds", "4"]);
        Assert.AreEqual(new SampleOptions
        {
            CsvPath = "a.csv", Column = "Adj Close", Window = 30, Horizon = 5, Cell = RnnCellType.Gru, Hidden = 64, Layers = 2, Epochs = 7,
            OutputDirectory = "o", Normalization = SequenceWindowNormalization.RelativeToFirst, Seed = 9, Days = 300, Patience = 0,
            Folds = 4,
        }, all);

        var quick = SampleOptions.Parse(["--quick"]);
        Assert.AreEqual(750, quick.Days);
        Assert.AreEqual(2, quick.Epochs);
        Assert.AreEqual(5, SampleOptions.Parse(["--quick", "--epochs", "5"]).Epochs, "an explicit value wins over --quick");
        Assert.IsTrue(SampleOptions.Parse(["-h"]).ShowHelp);
    }

    [TestMethod]
    public void BadOptionsSayWhatIsWrong()
    {
        string Fails(params string[] args) => Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(args)).Message;

        Assert.Contains("Unknown option '--windwo'", Fails("--windwo", "3"));
        Assert.Contains("--folds", Fails("--folds", "21"));
        Assert.Contains("--csv needs a value", Fails("--csv"));
        Assert.Contains("--window needs a value", Fails("--window", "--quick"));
        Assert.Contains("'ten' is not one", Fails("--epochs", "ten"));
        Assert.Contains("between 1 and 10000; got 0", Fails("--horizon", "0"));
        Assert.Contains("at least 1", Fails("--epochs", "0"));
        Assert.Contains("rnn, lstm or gru", Fails("--cell", "transformer"));
        Assert.Contains("last, first or none", Fails("--normalization", "zscore"));
        Assert.Contains("takes no value", Fails("--quick=yes"));
        Assert.AreEqual("--column must be one of Open, High, Low, Close, Adj Close, Volume; got 'Price'.", Fails("--column", "Price"));
    }

    [TestMethod]
    public void QuickRunTrainsTheRnnSavesReloadsAndForecasts()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var options = SampleOptions.Parse(["--quick", "--hidden", "8", "--out", outDir]);
            var report = new StockForecastRun(options, output).Execute();

            Assert.AreEqual(750, report.SeriesRows);
            Assert.AreEqual(700, report.Windows.WindowsProduced, "750 days - 50 window - 1 horizon + 1");
            Assert.AreEqual(105, report.HoldOutWindows, "15% of 700");
            CollectionAssert.AreEqual(new[] { "Persistence", "Moving average (5)", "Linear (SDCA)", "LSTM 8" },
                report.Metrics.Select(m => m.Model).ToArray());
            Assert.AreEqual(0, report.Metrics[0].SkillVsPersistence);
            Assert.IsTrue(report.Metrics.All(m => double.IsFinite(m.Rmse) && m.Rmse > 0));

            // The RNN trained for the two epochs of --quick, validating on the last 10% of the 595 training windows.
            Assert.HasCount(2, report.Rnn.History);
            Assert.IsTrue(report.Rnn.History.All(e => float.IsFinite(e.TrainLoss) && e.ValidationLoss is float v && float.IsFinite(v)));
            Assert.AreEqual(60, report.Rnn.ValidationWindows);
            Assert.AreEqual(535, report.Rnn.TrainingWindows);

            // model.zip, reloaded in a new MLContext, scores the hold-out exactly as the model in memory did.
            Assert.IsTrue(File.Exists(report.ModelPath));
            Assert.IsTrue(report.ReloadedModelMatches);

            // Five forecasts past the end, on the weekdays after the last day; the first is the one-step forecast, which the
            // in-memory model made from the window view: the reloaded model's hand-normalised window must agree with it.
            Assert.HasCount(4, report.NextForecasts);
            Assert.HasCount(StockForecastRun.DaysAhead, report.NextDays);
            var lastDay = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 750, Seed = options.Seed })[^1].Date;
            Assert.IsTrue(report.NextDays[0].Date > lastDay);
            Assert.IsTrue(report.NextDays.Zip(report.NextDays.Skip(1)).All(p => p.Second.Date > p.First.Date));
            Assert.IsTrue(report.NextDays.All(d => d.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)));
            Assert.AreEqual(report.NextForecasts["LSTM 8"], report.NextDays[0].Price, report.NextDays[0].Price * 1e-5);

            foreach (string plot in report.ForecastPlotPaths.Append(report.LossPlotPath))
            {
                byte[] png = File.ReadAllBytes(plot);
                CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4], plot);
            }

            string text = output.ToString();
            Assert.Contains("epoch 1/2  train ", text, "redirected output gets one plain line per epoch");
            Assert.Contains("epoch 2/2  train ", text);
            Assert.DoesNotContain("\u001b", text, "no terminal control codes when the output is not a terminal");
            Assert.Contains("Verdict: the LSTM 8 ", text);
            Assert.Contains("its next 5 weekdays after ", text, "the dates skip weekends, not exchange holidays");
            Assert.DoesNotContain("trading days after", text);
            Assert.Contains(report.ModelPath, text);
            Assert.Contains(report.LossPlotPath, text);
            string[] lines = File.ReadAllLines(report.ForecastsCsvPath);
            Assert.HasCount(106, lines, "header + one line per hold-out window");
            Assert.StartsWith("Date,LastObserved,Actual,\"Persistence\"", lines[0]);
            Assert.EndsWith(",\"LSTM 8\",\"LSTM 8 lower\",\"LSTM 8 upper\"", lines[0], "the interval's bounds follow the forecasts (Student-t by default)");
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
    public void LongerHorizonLeavesAGapBetweenTrainingAndHoldOut()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var report = new StockForecastRun(SampleOptions.Parse(["--quick", "--horizon", "3", "--folds", "2", "--out", outDir]), output).Execute();

            Assert.AreEqual(698, report.Windows.WindowsProduced, "750 - 50 - 3 + 1");
            Assert.AreEqual(105, report.HoldOutWindows);
            Assert.AreEqual(698 - 105 - 2, report.TrainingWindows, "the 2 windows whose labels fall in the hold-out period are left out");

            // Three days ahead is one forecast (chaining one-step forecasts needs horizon 1), dated three weekdays on.
            var lastDay = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 750, Seed = 42 })[^1].Date;
            Assert.HasCount(1, report.NextDays);
            Assert.AreEqual(3, Enumerable.Range(1, 7).Select(d => lastDay.AddDays(d)).Where(d => d <= report.NextDays[0].Date)
                .Count(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)));
            Assert.AreEqual(report.NextForecasts["LSTM 32"], report.NextDays[0].Price, report.NextDays[0].Price * 1e-5);

            // Walk-forward over the 591 training windows: 2 blocks of 591 / 3 = 197 at their end, each trained on the windows
            // before it less the same gap of 2.
            Assert.HasCount(2, report.WalkForward);
            Assert.AreEqual(591 - 2 * 197 - 2, report.WalkForward[0].TrainingWindows);
            Assert.AreEqual(591 - 197 - 2, report.WalkForward[1].TrainingWindows);
            Assert.IsLessThan(report.WalkForward[1].First, report.WalkForward[0].Last, "the blocks follow each other");
            Assert.IsTrue(report.WalkForward.All(f => double.IsFinite(f.Metrics.Rmse) && f.Metrics.Rmse > 0));
            Assert.Contains("Walk-forward over the training windows (2 folds", output.ToString());
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [TestMethod]
    public void CsvRunSkipsTheWindowsAroundAMissingDayAndSaysSo()
    {
        var rows = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 300, Seed = 5 });
        var csv = new System.Text.StringBuilder("Date,Open,High,Low,Close,Volume\n");
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            string close = i == 150 ? "null" : r.Close.ToString(System.Globalization.CultureInfo.InvariantCulture);
            csv.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{r.Date:dd-MM-yy},{r.Open},{r.High},{r.Low},{close},{r.Volume}\n");
        }

        string path = Path.GetTempFileName();
        string outDir = Path.Combine(Path.GetTempPath(), "stock-sequence-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(path, csv.ToString());
            var output = new StringWriter();
            int exit = StockSequenceApp.Run(["--csv", path, "--window", "20", "--epochs", "2", "--out", outDir], output, new StringWriter());

            Assert.AreEqual(0, exit, output.ToString());
            // Day 150 is in the inputs of 20 windows and the label of one.
            Assert.Contains("21 skipped", output.ToString());
            Assert.Contains("dates dd-MM-yy, 1 missing values", output.ToString());
        }
        finally
        {
            File.Delete(path);
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [TestMethod]
    public void CommandLineErrorsExitWithoutAStackTrace()
    {
        var error = new StringWriter();
        Assert.AreEqual(2, StockSequenceApp.Run(["--bogus"], new StringWriter(), error));
        Assert.Contains("--help", error.ToString());

        error = new StringWriter();
        Assert.AreEqual(1, StockSequenceApp.Run(["--csv", "/nonexistent/prices.csv"], new StringWriter(), error));
        Assert.Contains("no price file", error.ToString());

        var help = new StringWriter();
        Assert.AreEqual(0, StockSequenceApp.Run(["--help"], help, new StringWriter()));
        Assert.Contains("--csv PATH", help.ToString());
    }
}
