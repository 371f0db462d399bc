using StockSequence.Data;

namespace StockSequence.Tests;

[TestClass]
public sealed class StockCsvTests
{
    private const string YahooLayout = """
        Date,Open,High,Low,Close,Adj Close,Volume
        2022-01-03,177.830002,182.880005,177.710007,182.009995,180.434280,104487900
        2022-01-04,182.630005,182.940002,179.119995,179.699997,178.144287,99310400
        2022-01-05,179.610001,180.169998,174.639999,174.919998,173.405685,94537600
        """;

    private const string TwoDigitYearLayout = """
        Date,Open,High,Low,Close,Volume
        30-12-99,1464.469971,1473.420044,1462.599976,1464.469971,827000000
        03-01-00,1469.25,1478,1438.359985,1455.219971,931800000
        04-01-00,1455.219971,1455.219971,1397.430054,1399.420044,1009000000
        """;

    private static PriceTable Parse(string text) => DailyPriceCsv.Parse(new StringReader(text), "test.csv");

    private static CsvFormatException ParseFails(string text) => Assert.ThrowsExactly<CsvFormatException>(() => Parse(text));

    [TestMethod]
    public void ReadsTheYahooLayoutWithIsoDates()
    {
        var table = Parse(YahooLayout);

        Assert.HasCount(3, table.Rows);
        Assert.AreEqual("yyyy-MM-dd", table.DateFormat);
        CollectionAssert.AreEqual(new[] { "Open", "High", "Low", "Close", "Adj Close", "Volume" }, table.Columns.ToArray());
        var first = table.Rows[0];
        Assert.AreEqual(new DateTime(2022, 1, 3), first.Date);
        Assert.AreEqual(177.830002, first.Open);
        Assert.AreEqual(182.880005, first.High);
        Assert.AreEqual(177.710007, first.Low);
        Assert.AreEqual(182.009995, first.Close);
        Assert.AreEqual(180.434280, first.AdjClose);
        Assert.AreEqual(104487900, first.Volume);
        Assert.AreEqual(0, table.MissingValues);
        Assert.IsFalse(table.WasSorted);
    }

    [TestMethod]
    public void ReadsTheDayMonthTwoDigitYearLayoutWithoutAdjClose()
    {
        var table = Parse(TwoDigitYearLayout);

        Assert.AreEqual("dd-MM-yy", table.DateFormat);
        CollectionAssert.AreEqual(new[] { new DateTime(1999, 12, 30), new DateTime(2000, 1, 3), new DateTime(2000, 1, 4) },
            table.Rows.Select(r => r.Date).ToArray());
        Assert.AreEqual(1455.219971, table.Rows[1].Close);
        Assert.AreEqual(1478, table.Rows[1].High);
        Assert.IsTrue(double.IsNaN(table.Rows[1].AdjClose), "no Adj Close column");
        Assert.IsFalse(table.HasColumn("Adj Close"));
        Assert.IsTrue(table.HasColumn("close"));
    }

    [TestMethod]
    public void ReadsBothLayoutsFromFiles()
    {
        string yahoo = Path.GetTempFileName();
        string plain = Path.GetTempFileName();
        try
        {
            File.WriteAllText(yahoo, YahooLayout);
            File.WriteAllText(plain, TwoDigitYearLayout);

            Assert.AreEqual(174.919998, DailyPriceCsv.Read(yahoo).Rows[^1].Close);
            Assert.AreEqual(1399.420044, DailyPriceCsv.Read(plain).Rows[^1].Close);
        }
        finally
        {
            File.Delete(yahoo);
            File.Delete(plain);
        }

        Assert.ThrowsExactly<FileNotFoundException>(() => DailyPriceCsv.Read(yahoo));
    }

    [TestMethod]
    public void MissingValuesAreNaNAndCounted()
    {
        var table = Parse("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2022-01-03,1,2,0.5,1.5,1.5,100
            2022-01-04,null,null,null,null,null,null
            2022-01-05,1,,0.5,1.6,NaN,-
            """);

        Assert.HasCount(3, table.Rows);
        Assert.AreEqual(9, table.MissingValues);
        Assert.IsTrue(double.IsNaN(table.Rows[1].Close));
        Assert.IsTrue(double.IsNaN(table.Rows[2].High));
        Assert.IsTrue(double.IsNaN(table.Rows[2].Volume));
        Assert.AreEqual(1.6, table.Rows[2].Close);
    }

    [TestMethod]
    public void RowsAreSortedByDate()
    {
        var table = Parse("""
            Date,Close
            2022-01-05,3
            2022-01-03,1
            2022-01-04,2
            """);

        Assert.IsTrue(table.WasSorted);
        CollectionAssert.AreEqual(new[] { 1.0, 2.0, 3.0 }, table.Rows.Select(r => r.Close).ToArray());
    }

    [TestMethod]
    public void ToleratesBomCrlfQuotesBlankLinesAndOtherColumnOrders()
    {
        var table = Parse("\uFEFFclose , \"Date\",Ticker\r\n\"10.5\",2022-01-03,AAPL\r\n\r\n11,2022-01-04,AAPL\r\n\r\n");

        Assert.HasCount(2, table.Rows);
        Assert.AreEqual(10.5, table.Rows[0].Close);
        Assert.AreEqual(new DateTime(2022, 1, 4), table.Rows[1].Date);
        CollectionAssert.AreEqual(new[] { "Close" }, table.Columns.ToArray());
    }

    [TestMethod]
    public void AFourDigitYearDayFirstDateIsAccepted()
    {
        Assert.AreEqual(new DateTime(2000, 1, 3), Parse("Date,Close\n03-01-2000,1\n").Rows[0].Date);
    }

    [TestMethod]
    public void BadDateNamesTheLine()
    {
        var error = ParseFails("Date,Close\n2022-01-03,1\n2022/01/04,2\n");

        Assert.AreEqual(3, error.LineNumber);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'2022/01/04'", error.Message);
        Assert.AreEqual(2, ParseFails("Date,Close\n31-02-00,1\n").LineNumber, "there is no 31 February");
    }

    [TestMethod]
    public void BadNumberNamesTheLineAndTheColumn()
    {
        var error = ParseFails("Date,Open,Close\n2022-01-03,1,2\n2022-01-04,abc,2\n");

        Assert.AreEqual(3, error.LineNumber);
        Assert.Contains("Open 'abc' is not a number", error.Message);
    }

    [TestMethod]
    public void WrongFieldCountNamesTheLine()
    {
        var error = ParseFails("Date,Open,Close\n2022-01-03,1,2\n2022-01-04,1\n");

        Assert.AreEqual(3, error.LineNumber);
        Assert.Contains("2 fields, but the header has 3", error.Message);
    }

    [TestMethod]
    public void DuplicateDateNamesBothLines()
    {
        var error = ParseFails("Date,Close\n2022-01-04,1\n2022-01-03,2\n2022-01-04,3\n");

        Assert.AreEqual(4, error.LineNumber);
        Assert.Contains("lines 2 and 4", error.Message);
    }

    [TestMethod]
    public void HeaderProblemsAreLineOne()
    {
        Assert.AreEqual(1, ParseFails("Day,Close\n2022-01-03,1\n").LineNumber);
        Assert.Contains("no Close column", ParseFails("Date,Open\n2022-01-03,1\n").Message);
        Assert.Contains("empty", ParseFails("").Message);
        Assert.Contains("no data rows", ParseFails("Date,Close\n").Message);
    }

    [TestMethod]
    public void SemicolonsOrTabsAreNamedAndCommasAskedFor()
    {
        var semicolons = ParseFails("Date;Open;High;Low;Close;Volume\n03-01-00;1469,25;1478;1438,36;1455,22;931800000\n");
        Assert.AreEqual("test.csv, line 1: the header 'Date;Open;High;Low;Close;Volume' is separated by semicolons, but this reader " +
            "expects commas (Date,Open,High,Low,Close,Volume) and '.' as the decimal point. Export the file with comma separators.",
            semicolons.Message);

        Assert.Contains("is separated by tabs, but this reader expects commas", ParseFails("Date\tClose\n2022-01-03\t1\n").Message);
        Assert.Contains("has no Date column", ParseFails("Day,Close\n2022-01-03,1\n").Message, "a comma file is told what it lacks");
    }

    [TestMethod]
    public void PriceColumnsAreFoundByHeaderOrPropertyName()
    {
        Assert.AreEqual(nameof(DailyPrice.AdjClose), DailyPrice.PropertyFor("Adj Close"));
        Assert.AreEqual(nameof(DailyPrice.AdjClose), DailyPrice.PropertyFor("adjclose"));
        Assert.AreEqual(nameof(DailyPrice.Close), DailyPrice.PropertyFor("CLOSE"));
        Assert.Contains("Adj Close", Assert.Throws<ArgumentException>(() => DailyPrice.PropertyFor("Price")).Message);
        Assert.AreEqual(nameof(DailyPrice.AdjClose), DailyPrice.FindProperty("adj close"));
        Assert.IsNull(DailyPrice.FindProperty("Price"));
    }
}
