using Microsoft.ML.Rnn;
using Spectre.Console;
using StockSequence.Forecasting;

namespace StockSequence.Tests;

/// <summary>The sample's console progress, its verdict in words and its plots.</summary>
[TestClass]
public sealed class SampleOutputTests
{
    [TestMethod]
    public void RedirectedProgressIsOnePlainLinePerEpoch()
    {
        var writer = new StringWriter();
        var progress = new EpochProgress(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) }), maxEpochs: 12);
        int runs = 0;

        Assert.IsFalse(progress.IsLive, "a StringWriter is not a terminal");
        progress.Run("Training", () =>
        {
            runs++;
            progress.Report(new RnnEpochReport(1, 0.25f, 0.5f, 1.5));
            progress.Report(new RnnEpochReport(2, 0.125f, null, 0.25));
        });

        Assert.AreEqual(1, runs);
        string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        CollectionAssert.AreEqual(new[]
        {
            "          epoch  1/12  train 2.500e-01  validation 5.000e-01  1.50 s",
            "          epoch  2/12  train 1.250e-01  0.25 s",
        }, lines);
    }

    [TestMethod]
    public void InteractiveProgressDrawsABarAndStillRunsTheTrainingOnce()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        var progress = new EpochProgress(console, maxEpochs: 4);
        int runs = 0;

        Assert.IsTrue(progress.IsLive);
        progress.Run("Training", () =>
        {
            runs++;
            progress.Report(new RnnEpochReport(1, 0.25f, 0.5f, 1.5));
        });

        Assert.AreEqual(1, runs);
        string text = writer.ToString();
        Assert.Contains("\u001b[", text, "a live bar is drawn with control codes");
        Assert.Contains("epoch 1/4  train 2.500e-01  validation 5.000e-01", text);
        Assert.Contains("100%", text, "the bar is completed when training ends, early stopping or not");

        var failing = new EpochProgress(console, maxEpochs: 4);
        Assert.ThrowsExactly<InvalidOperationException>(() => failing.Run("Training", () => throw new InvalidOperationException("diverged")));
    }

    [TestMethod]
    public void VerdictSaysPlainlyWhenTheRnnDoesNotBeatPersistence()
    {
        var persistence = Metrics("Persistence", skill: 0, dm: null);
        var lines = ReportWriter.Verdict([persistence, Metrics("Linear (SDCA)", -0.02, (1.1, 0.27)), Metrics("LSTM 32", -0.05, (2.5, 0.013))],
            "LSTM 32", holdOutWindows: 100, horizon: 1, null);

        Assert.HasCount(2, lines);
        Assert.StartsWith("Verdict: the LSTM 32 does not beat persistence", lines[0]);
        Assert.Contains("its MSE is 5.00% higher", lines[0]);
        Assert.Contains("Nothing here beats persistence", lines[1]);
    }

    [TestMethod]
    public void VerdictSeparatesLuckFromEvidenceByThePValueAndNamesABetterBaseline()
    {
        var persistence = Metrics("Persistence", skill: 0, dm: null);

        var clear = ReportWriter.Verdict([persistence, Metrics("LSTM 32", 0.036, (-2.7, 0.0081))], "LSTM 32", 100, 1, 0.04);
        Assert.HasCount(2, clear);
        Assert.Contains("beats persistence by 3.60% in MSE", clear[0]);
        Assert.Contains("the Diebold-Mariano test gives p = 0.008: unlikely to be luck", clear[0]);
        Assert.Contains("about 4.0% skill", clear[1]);

        // |t| above 2 is not enough on a short hold-out: with 11 forecasts, t = -2.1 has p = 0.062 (10 degrees of freedom).
        var chance = ReportWriter.Verdict([persistence, Metrics("Linear (SDCA)", 0.02, (-4.0, 0.0003)), Metrics("GRU 16", 0.005, (-2.1, 0.062))],
            "GRU 16", 11, 1, null);
        Assert.HasCount(2, chance);
        Assert.Contains("the GRU 16 beats persistence by 0.50%", chance[0]);
        Assert.Contains("within chance on this hold-out (Diebold-Mariano p = 0.062)", chance[0]);
        Assert.StartsWith("         Linear (SDCA) does better: it beats persistence by 2.00%", chance[1]);
        Assert.Contains("p < 0.001", chance[1]);
    }

    [TestMethod]
    public void NoVerdictOnAHoldOutTooShortToTellSkillFromLuck()
    {
        var persistence = Metrics("Persistence", skill: 0, dm: null);
        var rnn = Metrics("LSTM 32", 0.30, (-3.5, 0.04));

        var four = ReportWriter.Verdict([persistence, rnn], "LSTM 32", holdOutWindows: 4, horizon: 1, 0.04);
        Assert.HasCount(1, four);
        Assert.AreEqual("Verdict: none. The hold-out has only 4 windows, too few to tell skill from luck (at least 10 are needed); " +
            "the table describes these days, nothing more. Use a longer series or a shorter --window.", four[0]);

        var threeAhead = ReportWriter.Verdict([persistence, rnn], "LSTM 32", holdOutWindows: 25, horizon: 3, null);
        Assert.HasCount(1, threeAhead);
        Assert.Contains("only 25 windows", threeAhead[0]);
        Assert.Contains("at least 30 are needed, 10 per step of the horizon", threeAhead[0]);

        Assert.StartsWith("Verdict: the LSTM 32 beats persistence", ReportWriter.Verdict([persistence, rnn], "LSTM 32", 10, 1, null)[0]);
    }

    [TestMethod]
    public void TableShowsTheStatisticAndItsPValue()
    {
        string table = ResultsTable.Render([Metrics("Persistence", 0, null), Metrics("LSTM 32", 0.05, (-2.345, 0.0213)), Metrics("GRU 8", 0.01, (-5, 1e-7))]);
        string[] lines = table.Split(Environment.NewLine);

        Assert.EndsWith("DM t       p", lines[0]);
        Assert.EndsWith("-2.35   0.021", lines[3]);
        Assert.EndsWith("-5.00  <0.001", lines[4]);
    }

    [TestMethod]
    public void PlotsArePngFilesAndMismatchedSeriesAreRejected()
    {
        string dir = Path.Combine(Path.GetTempPath(), "stock-plots-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string loss = Path.Combine(dir, "loss.png"), forecast = Path.Combine(dir, "forecast.png");
            ForecastPlots.WriteLossCurve([new RnnEpochReport(1, 2f, 3f, 0.1), new RnnEpochReport(2, 1f, 2.5f, 0.1)], keptEpoch: 2, loss);
            DateTime[] dates = [new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4)];
            ForecastPlots.WriteForecastVsActual("t", "price", dates, [1, 2, 3], ("b", [1, 2, 3]), ("m", [1, 2, 2]), forecast);

            foreach (string file in new[] { loss, forecast })
            {
                byte[] png = File.ReadAllBytes(file);
                CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8], file);
                Assert.IsGreaterThan(5_000, png.Length, "a drawn plot, not an empty image");
            }

            Assert.ThrowsExactly<ArgumentException>(() => ForecastPlots.WriteLossCurve([], null, loss));
            Assert.ThrowsExactly<ArgumentException>(() =>
                ForecastPlots.WriteForecastVsActual("t", "price", dates, [1, 2], ("b", [1, 2, 3]), ("m", [1, 2, 3]), forecast));
            Assert.ThrowsExactly<ArgumentException>(() =>
                ForecastPlots.WriteForecastVsActual("t", "price", dates, [1, 2, 3], ("b", [1, 2, 3]), ("m", [1]), forecast));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void LossCurveIsTitledForBothLossesKeepsItsLegendOffTheDataAndTheKeptEpochOffTheFrame()
    {
        RnnEpochReport[] history = [new(1, 3f, 2.9f, 0.1), new(2, 2f, 2.5f, 0.1), new(3, 1f, 2.4f, 0.1)];

        ScottPlot.Plot plot = ForecastPlots.LossCurve(history, keptEpoch: 3);

        Assert.AreEqual("Loss per epoch: training and validation", plot.Axes.Title.Label.Text);
        Assert.AreEqual("Training loss per epoch", ForecastPlots.LossCurve([new(1, 3f, null, 0.1)], 1).Axes.Title.Label.Text);
        Assert.IsFalse(plot.Legend.IsVisible, "no legend inside the data area");
        Assert.IsTrue(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>().Any(), "the legend is a panel beside it");
        var limits = plot.Axes.GetLimits();
        Assert.IsLessThan(1, limits.Left, "the first epoch is inside the frame");
        Assert.IsGreaterThan(3, limits.Right, "the kept, last epoch is inside the frame");
        Assert.AreEqual("epoch", plot.Axes.Bottom.Label.Text);
    }

    [TestMethod]
    public void ForecastPlotDrawsTheModelOverTheBaselineWithIsoDatesAndAxisLabels()
    {
        DateTime[] dates = [new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4), new(2024, 1, 5), new(2024, 1, 8)];

        ScottPlot.Plot plot = ForecastPlots.ForecastVsActual("t", "Close (price)", dates, [1, 2, 3, 2, 4],
            ("Persistence", [1, 1, 2, 3, 2]), ("LSTM 32", [1.1, 1.2, 2.5, 2.9, 2.2]));

        // Later plottables are drawn over earlier ones: the model last, so the baseline cannot hide it.
        CollectionAssert.AreEqual(new[] { "actual", "Persistence", "LSTM 32" },
            plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(p => p.LegendText).ToArray());
        Assert.AreEqual("date of the day forecast", plot.Axes.Bottom.Label.Text);
        Assert.AreEqual("Close (price)", plot.Axes.Left.Label.Text);

        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("en-US");
        try
        {
            plot.GetImage(800, 400).Dispose(); // the ticks are made when the plot is drawn
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }

        string[] labels = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();
        Assert.IsNotEmpty(labels);
        foreach (string label in labels)
        {
            Assert.MatchesRegex(@"^\d{4}-\d{2}-\d{2}$", label, "ISO dates, in an en-US culture too");
        }
    }

    private static ForecastMetrics Metrics(string model, double skill, (double T, double P)? dm) =>
        new(model, Rmse: Math.Sqrt(1 - skill), Mae: 1, DirectionAccuracy: null, SkillVsPersistence: skill,
            DieboldMariano: dm is var (t, p) ? new DieboldMarianoTest(t, p, DegreesOfFreedom: 99) : null);
}
