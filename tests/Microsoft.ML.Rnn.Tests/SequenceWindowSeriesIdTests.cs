using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// Windows over several series at once (<see cref="SequenceWindowOptions.SeriesIdColumnName"/>): each series gives the windows it
/// gives alone, none spans two series, and each window says which series it is from.
/// </summary>
[TestClass]
public sealed class SequenceWindowSeriesIdTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static readonly DateTime Day0 = new(2024, 1, 1);

    private sealed class Row
    {
        public string Series { get; set; } = "";

        public int Store { get; set; }

        public float Value { get; set; }

        public DateTime Date { get; set; }
    }

    /// <summary>A series of <paramref name="length"/> rows; values differ between series so a spanning window would show.</summary>
    private static IEnumerable<Row> Series(string id, int length, float scale) =>
        Enumerable.Range(0, length).Select(i => new Row
        {
            Series = id,
            Store = id[0],
            Value = scale * (1 + i + 0.1f * i * i),
            Date = Day0.AddDays(i),
        });

    private static SequenceWindowOptions Options(bool tail, string? seriesId = "Series") => new()
    {
        InputColumns = ["Value"],
        WindowLength = 4,
        LabelSteps = 2,
        Stride = 2,
        Normalization = SequenceWindowNormalization.RelativeToLast,
        PassThroughColumns = ["Date"],
        IncludeUnlabeledTail = tail,
        SeriesIdColumnName = seriesId,
    };

    /// <summary>Each window as text: features, label, reference and date, bit for bit.</summary>
    private static List<string> Windows(IDataView view)
    {
        var schema = view.Schema;
        using var cursor = view.GetRowCursor([schema["Features"], schema["Label"], schema["WindowReference"], schema["Date"]]);
        var features = cursor.GetGetter<VBuffer<float>>(schema["Features"]);
        var label = cursor.GetGetter<VBuffer<float>>(schema["Label"]);
        var reference = cursor.GetGetter<float>(schema["WindowReference"]);
        var date = cursor.GetGetter<DateTime>(schema["Date"]);
        var result = new List<string>();
        VBuffer<float> f = default, l = default;
        float r = 0;
        DateTime d = default;
        while (cursor.MoveNext())
        {
            features(ref f);
            label(ref l);
            reference(ref r);
            date(ref d);
            result.Add($"{Bits(f)} | {Bits(l)} | {BitConverter.SingleToInt32Bits(r):x8} | {d:yyyy-MM-dd}");
        }

        return result;
    }

    private static string Bits(VBuffer<float> values) =>
        string.Join(" ", values.DenseValues().Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8")));

    private static List<string> SeriesIds(IDataView view)
    {
        var column = view.Schema["Series"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var ids = new List<string>();
        ReadOnlyMemory<char> id = default;
        while (cursor.MoveNext())
        {
            getter(ref id);
            ids.Add(id.ToString());
        }

        return ids;
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TwoSeriesBackToBackGiveExactlyTheWindowsOfEachAlone(bool tail)
    {
        Row[] a = Series("A", 12, 1).ToArray();
        Row[] b = Series("B", 9, 50).ToArray();

        var together = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(a.Concat(b)), Options(tail)));
        var aAlone = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(a), Options(tail)));
        var bAlone = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(b), Options(tail)));

        Assert.IsNotEmpty(aAlone);
        Assert.IsNotEmpty(bAlone);
        CollectionAssert.AreEqual(aAlone.Concat(bAlone).ToList(), together);

        // Without the id the same rows give windows across the boundary: what the option is for.
        var spanning = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(a.Concat(b)), Options(tail, seriesId: null)));
        Assert.IsGreaterThan(together.Count, spanning.Count);
    }

    [TestMethod]
    public void EveryWindowCarriesItsSeriesIdAlsoPastTheEndOfItsSeries()
    {
        IDataView rows = Ml.Data.LoadFromEnumerable(Series("A", 12, 1).Concat(Series("B", 9, 50)));
        var options = Options(tail: true);
        var view = Ml.Data.CreateSequenceWindows(rows, options);
        int aWindows = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(Series("A", 12, 1)), options)).Count;
        int bWindows = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(Series("B", 9, 50)), options)).Count;

        // The tail windows' label rows (FirstLabelRow, the default) lie past their series; the id is still theirs.
        CollectionAssert.AreEqual(Enumerable.Repeat("A", aWindows).Concat(Enumerable.Repeat("B", bWindows)).ToList(), SeriesIds(view));
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Series"].Type);

        options.PassThroughColumns = ["Series", "Date"];
        var listed = Ml.Data.CreateSequenceWindows(rows, options);
        Assert.AreEqual(1, listed.Schema.Count(c => c.Name == "Series"));
        CollectionAssert.AreEqual(SeriesIds(view), SeriesIds(listed));
    }

    [TestMethod]
    public void IdThatComesBackAfterAnotherFailsNamingTheRow()
    {
        IDataView rows = Ml.Data.LoadFromEnumerable(Series("A", 6, 1).Concat(Series("B", 6, 2)).Concat(Series("A", 6, 3)));
        var options = Options(tail: false, seriesId: "Store");

        var view = Ml.Data.CreateSequenceWindows(rows, options);
        var e = Assert.Throws<InvalidOperationException>(() => Windows(view));

        StringAssert.Contains(e.Message, "'Store'");
        StringAssert.Contains(e.Message, "row 12");
        StringAssert.Contains(e.Message, $"'{(int)'A'}'");
        StringAssert.Contains(e.Message, "contiguous");
    }

    [TestMethod]
    public void SeriesTooShortForAWindowGiveNone()
    {
        Row[] b = Series("B", 9, 50).ToArray();
        var options = Options(tail: false);

        var together = Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(Series("A", 3, 1).Concat(b).Concat(Series("C", 2, 7))), options));

        CollectionAssert.AreEqual(Windows(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(b), options)), together);
        var statistics = Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(Series("A", 3, 1).Concat(b).Concat(Series("C", 2, 7))), options).CountWindows();
        Assert.AreEqual(14, statistics.RowsRead);
        Assert.AreEqual(together.Count, statistics.WindowsProduced);
    }

    [TestMethod]
    public void EverySeriesTooShortFailsSayingSo()
    {
        // 8 rows in all, enough for one window of one series (4 + 1 + 2 - 1 = 6 rows), but no series has 6.
        IDataView rows = Ml.Data.LoadFromEnumerable(Series("A", 5, 1).Concat(Series("B", 3, 2)));

        var view = Ml.Data.CreateSequenceWindows(rows, Options(tail: false));
        var e = Assert.Throws<InvalidOperationException>(() => Windows(view));

        StringAssert.Contains(e.Message, "the longest of the 2 series in 'Series' has 5 rows");
    }

    [TestMethod]
    public void VectorSeriesIdIsRefusedNamingIt()
    {
        IDataView rows = Ml.Data.LoadFromEnumerable(Series("A", 8, 1));
        var vectorised = Ml.Transforms.Concatenate("Ids", "Value", "Value").Fit(rows).Transform(rows);

        var e = Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(vectorised, Options(tail: false, seriesId: "Ids")));

        StringAssert.Contains(e.Message, "'Ids'");
        StringAssert.Contains(e.Message, "scalar");
    }
}
