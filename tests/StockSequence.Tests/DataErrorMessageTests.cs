using System.Globalization;
using System.Text;
using StockSequence.Data;

namespace StockSequence.Tests;

/// <summary>Data the sample cannot use: the message says what is wrong and what to do, in the sample's words, not the
/// library's (no parameter names, no option names of the window API).</summary>
[TestClass]
public sealed class DataErrorMessageTests
{
    [TestMethod]
    public void ASeriesShorterThanTheWindowSaysWhichWindowWouldDo()
    {
        string csv = WriteCsv(days: 20);
        try
        {
            var (exit, error) = Run("--csv", csv);

            Assert.AreEqual(1, exit);
            Assert.AreEqual("error: The series has 20 days: too few for windows of 50 days (a run needs 7 windows, so 57 days). " +
                "Use --window N with N < 14, or a longer series.", error.TrimEnd());
            Assert.DoesNotContain("(Parameter", error);
            Assert.DoesNotContain("LabelSteps", error);

            // The advice holds: the largest window it allows runs, one more does not.
            Assert.AreEqual(0, Run("--csv", csv, "--window", "13").Exit);
            Assert.Contains("N < 14", Run("--csv", csv, "--window", "14").Error);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [TestMethod]
    public void ASeriesTooShortForAnyWindowAsksForMoreDays()
    {
        string csv = WriteCsv(days: 6);
        try
        {
            var (exit, error) = Run("--csv", csv, "--horizon", "2");

            Assert.AreEqual(1, exit);
            Assert.Contains("The series has 6 days", error);
            Assert.Contains("Use a longer series: even --window 1 needs", error);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [TestMethod]
    public void ASemicolonFileHearsThatCommasAreExpected()
    {
        string csv = Path.GetTempFileName();
        try
        {
            File.WriteAllText(csv, "Date;Open;High;Low;Close;Volume\n03-01-00;1469,25;1478;1438,36;1455,22;931800000\n");

            var (exit, error) = Run("--csv", csv);

            Assert.AreEqual(1, exit);
            Assert.Contains("is separated by semicolons, but this reader expects commas", error);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static (int Exit, string Error) Run(params string[] args)
    {
        string outDir = Path.Combine(Path.GetTempPath(), "stock-errors-" + Guid.NewGuid().ToString("N"));
        try
        {
            var error = new StringWriter();
            int exit = StockSequenceApp.Run([.. args, "--epochs", "1", "--hidden", "4", "--out", outDir], new StringWriter(), error);
            return (exit, error.ToString());
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    private static string WriteCsv(int days)
    {
        var text = new StringBuilder("Date,Close\n");
        foreach (var row in SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = days, Seed = 1 }))
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Date:yyyy-MM-dd},{row.Close}\n");
        }

        string path = Path.GetTempFileName();
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
