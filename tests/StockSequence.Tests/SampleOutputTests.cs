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
            ForecastPlots.WriteForecastVsActual("t", dates, [1, 2, 3], new Dictionary<string, double[]> { ["m"] = [1, 2, 2] }, forecast);

            foreach (string file in new[] { loss, forecast })
            {
                byte[] png = File.ReadAllBytes(file);
                CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8], file);
                Assert.IsGreaterThan(5_000, png.Length, "a drawn plot, not an empty image");
            }

            Assert.ThrowsExactly<ArgumentException>(() => ForecastPlots.WriteLossCurve([], null, loss));
            Assert.ThrowsExactly<ArgumentException>(() =>
                ForecastPlots.WriteForecastVsActual("t", dates, [1, 2], new Dictionary<string, double[]>(), forecast));
            Assert.ThrowsExactly<ArgumentException>(() =>
                ForecastPlots.WriteForecastVsActual("t", dates, [1, 2, 3], new Dictionary<string, double[]> { ["m"] = [1] }, forecast));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static ForecastMetrics Metrics(string model, double skill, (double T, double P)? dm) =>
        new(model, Rmse: Math.Sqrt(1 - skill), Mae: 1, DirectionAccuracy: null, SkillVsPersistence: skill,
            DieboldMariano: dm is var (t, p) ? new DieboldMarianoTest(t, p, DegreesOfFreedom: 99) : null);
}
