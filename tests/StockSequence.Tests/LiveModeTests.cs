using System.Globalization;
using System.Text.RegularExpressions;
using StockSequence.Data;
using StockSequence.Live;

namespace StockSequence.Tests;

[TestClass]
public sealed class LiveModeTests
{
    [TestMethod]
    public void LiveIsAFlagOffByDefault()
    {
        Assert.IsFalse(SampleOptions.Parse([]).Live);
        Assert.IsTrue(SampleOptions.Parse(["--live"]).Live);
        Assert.IsTrue(SampleOptions.Parse(["--quick", "--live", "--cell", "gru"]).Live);
        Assert.Contains("--live", SampleOptions.HelpText);
    }

    [TestMethod]
    public void LiveRefusesAValueAndTheMultiDayModes()
    {
        Assert.Contains("takes no value", Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(["--live=yes"])).Message);
        Assert.Contains("--live", Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(["--live", "--ahead", "5"])).Message);
        Assert.Contains("--live", Assert.ThrowsExactly<SampleOptionsException>(() => SampleOptions.Parse(["--live", "--folds", "3"])).Message);
    }

    [TestMethod]
    public void ScaleIsTheSampleStandardDeviationOfTheTrainingLogReturns()
    {
        // Returns ln(1.1) = 0.0953102 and ln(0.9) = -0.1053605: mean -0.0050252, each 0.1003353 from it, so
        // sd = sqrt(2 * 0.1003353^2 / (2 - 1)) = 0.1418956.
        var input = ScaledLogReturn.FitTo([100, 110, 99]);
        Assert.AreEqual(0.14189560954670769, input.Scale, 1e-12);
        Assert.AreEqual(0.6716922f, input.Encode(100, 110), 1e-6f);
        Assert.AreEqual(-0.7425213f, input.Encode(110, 99), 1e-6f);
        CollectionAssert.AreEqual(new[] { input.Encode(100, 110), input.Encode(110, 99) }, input.EncodeSeries([100, 110, 99]));
    }

    [TestMethod]
    public void DecodeInvertsEncode()
    {
        // 100 * exp(0.02 * 1.5) = 100 * e^0.03 = 103.0454534
        var input = new ScaledLogReturn(0.02);
        Assert.AreEqual(103.0454533953517, input.Decode(100, 1.5f), 1e-9);
        Assert.AreEqual(100, input.Decode(100, 0f), 1e-12);
        Assert.AreEqual(97.5, input.Decode(100, input.Encode(100, 97.5)), 1e-4, "round trip through float");
    }

    [TestMethod]
    public void MissingPricesGiveNoChangeAndAreCarriedForward()
    {
        var input = new ScaledLogReturn(0.01);
        Assert.AreEqual(0f, input.Encode(100, double.NaN));
        Assert.AreEqual(0f, input.Encode(0, 100));
        CollectionAssert.AreEqual(new double[] { 100, 100, 100, 105 }, LiveReplay.ForwardFill([100, double.NaN, 0, 105]));
        Assert.AreEqual(1, ScaledLogReturn.FitTo([100, double.NaN]).Scale, "no return to fit: scale 1");
    }

    [TestMethod]
    public void HoldOutIsTheOneDayRunsHoldOut()
    {
        // 750 days, windows of 50: 700 windows, 15% = 105 held out.
        Assert.AreEqual(105, LiveReplay.HoldOutDays(750, 50));
        Assert.AreEqual(592, LiveReplay.HoldOutDays(4000, 50));
    }

    [TestMethod]
    public void QuickLiveRunPrintsEachEndOfTheHoldOutAndTheScores()
    {
        string folder = Path.Combine(Path.GetTempPath(), "live-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = StockSequenceApp.Run(["--live", "--quick", "--out", folder], output, error);
        Assert.AreEqual(0, code, error.ToString());

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("Live: generated series", lines[0]);
        Assert.IsTrue(lines.Any(l => l.StartsWith("Warm-up: 644 training days fed", StringComparison.Ordinal)), output.ToString());

        // The series the run used, and the hold-out's last 105 days of it.
        var rows = SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = 750, Seed = 42 });
        int first = 750 - 105;
        string[] days = lines.Where(l => Regex.IsMatch(l, @"^\d{4}-\d{2}-\d{2}  ")).ToArray();
        Assert.HasCount(2 * LiveReplay.QuickRows, days, "the first and last five hold-out days");
        Assert.AreEqual(1, lines.Count(l => l == "..."));
        string[] firstDay = days[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(rows[first].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), firstDay[0]);
        Assert.AreEqual(rows[first].Close, double.Parse(firstDay[1], CultureInfo.InvariantCulture), 1e-4);
        double forecast = double.Parse(firstDay[2], CultureInfo.InvariantCulture);
        Assert.AreEqual(forecast - rows[first].Close, double.Parse(firstDay[3], CultureInfo.InvariantCulture), 2e-4);
        Assert.AreEqual(rows[first - 1].Close, forecast, 0.1 * rows[first - 1].Close, "a day's forecast is near the day before's price");
        Assert.AreEqual(rows[^1].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days[^1].Split(' ')[0]);

        Match tick = Regex.Match(output.ToString(), @"Per tick: median ([0-9.]+) µs over 105 ticks \(StepsSeen 749\)");
        Assert.IsTrue(tick.Success, output.ToString());
        Assert.IsGreaterThan(0.0, double.Parse(tick.Groups[1].Value, CultureInfo.InvariantCulture));

        Match rmse = Regex.Match(output.ToString(), @"Hold-out RMSE: live ([0-9.]+), persistence ([0-9.]+)");
        Assert.IsTrue(rmse.Success, output.ToString());
        double persistence = Math.Sqrt(Enumerable.Range(first, 105).Average(t => Math.Pow(rows[t - 1].Close - rows[t].Close, 2)));
        Assert.AreEqual(persistence, double.Parse(rmse.Groups[2].Value, CultureInfo.InvariantCulture), 1e-3);
        double live = double.Parse(rmse.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsLessThan(1.5 * persistence, live, "the live forecasts are in the right units and about as good as persistence");
    }
}
