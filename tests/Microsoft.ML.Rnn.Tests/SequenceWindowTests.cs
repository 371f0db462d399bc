using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests;

[TestClass]
public sealed class SequenceWindowTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private sealed class Step
    {
        public float Value { get; set; }

        public DateTime Date { get; set; }
    }

    private sealed class TwoFeatureStep
    {
        public float A { get; set; }

        public float B { get; set; }

        [VectorType(2)]
        public float[] Pair { get; set; } = [];

        public double Price { get; set; }

        public string Tag { get; set; } = "";
    }

    /// <summary>One window as read from a cursor: features, label values, reference (NaN if none) and a date.</summary>
    private sealed record Window(float[] Features, float[] Label, float Reference, DateTime Date);

    private static readonly DateTime Day0 = new(2024, 1, 1);

    private static IDataView Series(params float[] values) =>
        Ml.Data.LoadFromEnumerable(values.Select((v, i) => new Step { Value = v, Date = Day0.AddDays(i) }).ToArray());

    private static float[] OneToTen => Enumerable.Range(1, 10).Select(i => (float)i).ToArray();

    private static List<Window> Read(IDataView view, string? dateColumn = null)
    {
        var schema = view.Schema;
        var features = schema["Features"];
        var label = schema["Label"];
        var reference = schema.GetColumnOrNull("WindowReference");
        var needed = new List<DataViewSchema.Column> { features, label };
        if (reference is not null)
        {
            needed.Add(reference.Value);
        }

        if (dateColumn is not null)
        {
            needed.Add(schema[dateColumn]);
        }

        var result = new List<Window>();
        using var cursor = view.GetRowCursor(needed);
        var featuresGetter = cursor.GetGetter<VBuffer<float>>(features);
        ValueGetter<float>? scalarLabel = label.Type is VectorDataViewType ? null : cursor.GetGetter<float>(label);
        ValueGetter<VBuffer<float>>? vectorLabel = label.Type is VectorDataViewType ? cursor.GetGetter<VBuffer<float>>(label) : null;
        ValueGetter<float>? referenceGetter = reference is null ? null : cursor.GetGetter<float>(reference.Value);
        ValueGetter<DateTime>? dateGetter = dateColumn is null ? null : cursor.GetGetter<DateTime>(schema[dateColumn]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            featuresGetter(ref buffer);
            float[] f = buffer.DenseValues().ToArray();
            float[] l;
            if (scalarLabel is not null)
            {
                float value = 0;
                scalarLabel(ref value);
                l = [value];
            }
            else
            {
                VBuffer<float> labels = default;
                vectorLabel!(ref labels);
                l = labels.DenseValues().ToArray();
            }

            float r = float.NaN;
            referenceGetter?.Invoke(ref r);
            DateTime d = default;
            dateGetter?.Invoke(ref d);
            result.Add(new Window(f, l, r, d));
        }

        return result;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-6f, $"{what}[{i}]: expected {string.Join(", ", expected)}; got {string.Join(", ", actual)}");
        }
    }

    [TestMethod]
    public void NextStepWindowsOverAKnownSeries()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(OneToTen), "Value", windowLength: 3);

        var windows = Read(view);

        Assert.HasCount(7, windows);
        for (int k = 0; k < 7; k++)
        {
            AssertClose([k + 1, k + 2, k + 3], windows[k].Features, $"features of window {k}");
            AssertClose([k + 4], windows[k].Label, $"label of window {k}");
        }

        var featureType = (VectorDataViewType)view.Schema["Features"].Type;
        Assert.AreEqual(3, featureType.Size);
        CollectionAssert.AreEqual(new[] { 3, 1 }, featureType.Dimensions.ToArray());
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Label"].Type);
        Assert.IsNull(view.Schema.GetColumnOrNull("WindowReference"));
    }

    [TestMethod]
    public void HorizonAndStrideMoveTheLabelAndTheGrid()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 3,
            Horizon = 2,
            Stride = 2,
        });

        var windows = Read(view);

        // Windows start at rows 0, 2, 4; the one at row 6 would need row 10 (value 11) as its label.
        Assert.HasCount(3, windows);
        AssertClose([1, 2, 3], windows[0].Features, "window 0");
        AssertClose([5], windows[0].Label, "label 0");
        AssertClose([3, 4, 5], windows[1].Features, "window 1");
        AssertClose([7], windows[1].Label, "label 1");
        AssertClose([5, 6, 7], windows[2].Features, "window 2");
        AssertClose([9], windows[2].Label, "label 2");
    }

    [TestMethod]
    public void StrideLongerThanTheBufferSkipsRowsBetweenWindows()
    {
        var windows = Read(Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            Stride = 5,
        }));

        Assert.HasCount(2, windows);
        AssertClose([1, 2], windows[0].Features, "window 0");
        AssertClose([3], windows[0].Label, "label 0");
        AssertClose([6, 7], windows[1].Features, "window 1");
        AssertClose([8], windows[1].Label, "label 1");
    }

    [TestMethod]
    public void VectorLabelHoldsTheNextValues()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            LabelSteps = 3,
        });

        var windows = Read(view);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), view.Schema["Label"].Type);
        Assert.HasCount(6, windows);
        AssertClose([1, 2], windows[0].Features, "window 0");
        AssertClose([3, 4, 5], windows[0].Label, "label 0");
        AssertClose([6, 7], windows[5].Features, "window 5");
        AssertClose([8, 9, 10], windows[5].Label, "label 5");
    }

    [TestMethod]
    public void VectorLabelWithHorizonStartsThatManyStepsAhead()
    {
        var windows = Read(Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            Horizon = 3,
            LabelSteps = 2,
        }));

        Assert.HasCount(5, windows);
        AssertClose([1, 2], windows[0].Features, "window 0");
        AssertClose([5, 6], windows[0].Label, "label 0");
        AssertClose([9, 10], windows[4].Label, "label 4");
    }

    [TestMethod]
    public void RelativeToFirstNormalisesByTheWindowsFirstValueAndInverts()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(10, 20, 40, 30, 60), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            Normalization = SequenceWindowNormalization.RelativeToFirst,
        });

        var windows = Read(view);

        Assert.AreEqual(NumberDataViewType.Single, view.Schema["WindowReference"].Type);
        Assert.HasCount(3, windows);
        // [10, 20] -> 40: 10/10-1, 20/10-1; label 40/10-1 = 3.
        AssertClose([0, 1], windows[0].Features, "window 0");
        AssertClose([3], windows[0].Label, "label 0");
        Assert.AreEqual(10f, windows[0].Reference);
        // [20, 40] -> 30: 0, 1; label 30/20-1 = 0.5.
        AssertClose([0, 1], windows[1].Features, "window 1");
        AssertClose([0.5f], windows[1].Label, "label 1");
        // [40, 30] -> 60: 0, -0.25; label 0.5.
        AssertClose([0, -0.25f], windows[2].Features, "window 2");
        AssertClose([0.5f], windows[2].Label, "label 2");

        float[] prices = [40, 30, 60];
        for (int k = 0; k < 3; k++)
        {
            Assert.AreEqual(prices[k], SequenceWindowNormalizer.Denormalize(windows[k].Label[0], windows[k].Reference), 1e-4f);
        }
    }

    [TestMethod]
    public void RelativeToLastNormalisesByTheWindowsLastValueAndInverts()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(10, 20, 40, 30, 60), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            LabelSteps = 2,
            Normalization = SequenceWindowNormalization.RelativeToLast,
            ReferenceColumnName = "WindowReference",
        });

        var windows = Read(view);

        Assert.HasCount(2, windows);
        // [10, 20] -> [40, 30]: 10/20-1 = -0.5, 0; labels 1, 0.5; reference 20.
        AssertClose([-0.5f, 0], windows[0].Features, "window 0");
        AssertClose([1, 0.5f], windows[0].Label, "label 0");
        Assert.AreEqual(20f, windows[0].Reference);
        // [20, 40] -> [30, 60]: -0.5, 0; labels -0.25, 0.5; reference 40.
        AssertClose([-0.5f, 0], windows[1].Features, "window 1");
        AssertClose([-0.25f, 0.5f], windows[1].Label, "label 1");

        var prices = new float[2];
        SequenceWindowNormalizer.Denormalize(windows[1].Label, windows[1].Reference, prices);
        AssertClose([30, 60], prices, "denormalised label 1");
        Assert.AreEqual(0.5f, SequenceWindowNormalizer.Normalize(60, 40), 1e-7f);
        Assert.AreEqual(0.25f, SequenceWindowNormalizer.Denormalize(0.25f, 40, SequenceWindowNormalization.None));
        Assert.AreEqual(50f, SequenceWindowNormalizer.Denormalize(0.25f, 40, SequenceWindowNormalization.RelativeToLast));
    }

    [TestMethod]
    public void SeveralFeaturesAreTimeMajorWithSlotNames()
    {
        var rows = Enumerable.Range(1, 5).Select(i => new TwoFeatureStep
        {
            A = i,
            B = 10 * i,
            Pair = [100 * i, -i],
            Price = 1000 * i,
            Tag = $"row{i}",
        });
        var view = Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(rows), new SequenceWindowOptions
        {
            InputColumns = ["A", "B", "Pair"],
            TargetColumn = "Price",
            WindowLength = 2,
        });

        var windows = Read(view);

        Assert.AreEqual(4, view.FeaturesPerStep);
        var featureType = (VectorDataViewType)view.Schema["Features"].Type;
        CollectionAssert.AreEqual(new[] { 2, 4 }, featureType.Dimensions.ToArray());
        Assert.HasCount(3, windows);
        // Step 0 (row 1): A, B, Pair[0], Pair[1]; then step 1 (row 2).
        AssertClose([1, 10, 100, -1, 2, 20, 200, -2], windows[0].Features, "window 0");
        AssertClose([3000], windows[0].Label, "label 0 (Double target converted)");

        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        view.Schema["Features"].GetSlotNames(ref slotNames);
        CollectionAssert.AreEqual(
            new[] { "A@t-1", "B@t-1", "Pair[0]@t-1", "Pair[1]@t-1", "A@t", "B@t", "Pair[0]@t", "Pair[1]@t" },
            slotNames.DenseValues().Select(s => s.ToString()).ToArray());
    }

    [TestMethod]
    public void DoubleInputsAreConvertedAndNormalisedInDouble()
    {
        var rows = new[] { 1e6 + 1, 1e6 + 2, 1e6 + 4 }.Select(p => new TwoFeatureStep { Price = p });
        var windows = Read(Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(rows), new SequenceWindowOptions
        {
            InputColumns = ["Price"],
            WindowLength = 2,
            Normalization = SequenceWindowNormalization.RelativeToFirst,
        }));

        Assert.HasCount(1, windows);
        // In Single, 1e6+2 and 1e6+1 are exact but their ratio's distance from 1 needs double arithmetic.
        Assert.AreEqual(1.0 / (1e6 + 1), windows[0].Features[1], 1e-12);
        Assert.AreEqual(3.0 / (1e6 + 1), windows[0].Label[0], 1e-12);
    }

    [TestMethod]
    public void PassThroughColumnsComeFromTheLabelRowOrTheLastWindowRow()
    {
        var byLabel = Read(Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 3,
            Horizon = 2,
            PassThroughColumns = ["Date"],
        }), "Date");
        var byLastRow = Read(Ml.Data.CreateSequenceWindows(Series(OneToTen), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 3,
            Horizon = 2,
            PassThroughColumns = ["Date"],
            PassThroughRow = PassThroughRow.LastWindowRow,
        }), "Date");

        Assert.HasCount(6, byLabel);
        for (int k = 0; k < byLabel.Count; k++)
        {
            Assert.AreEqual(Day0.AddDays(k + 4), byLabel[k].Date, $"label-row date of window {k}");
            Assert.AreEqual(Day0.AddDays(k + 2), byLastRow[k].Date, $"last-row date of window {k}");
        }
    }

    [TestMethod]
    public void TextAndVectorPassThroughAreCopiedWithTheirTypes()
    {
        var rows = Enumerable.Range(1, 6).Select(i => new TwoFeatureStep { A = i, Pair = [i, 2 * i], Tag = $"row{i}" });
        var view = Ml.Data.CreateSequenceWindows(Ml.Data.LoadFromEnumerable(rows), new SequenceWindowOptions
        {
            InputColumns = ["A"],
            WindowLength = 2,
            PassThroughColumns = ["Tag", "Pair"],
        });

        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Tag"].Type);
        using var cursor = view.GetRowCursor(view.Schema);
        var tag = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Tag"]);
        var pair = cursor.GetGetter<VBuffer<float>>(view.Schema["Pair"]);
        var tags = new List<string>();
        var pairs = new List<float[]>();
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> t = default;
            tag(ref t);
            tags.Add(t.ToString());
            VBuffer<float> p = default;
            pair(ref p);
            pairs.Add(p.DenseValues().ToArray());
        }

        CollectionAssert.AreEqual(new[] { "row3", "row4", "row5", "row6" }, tags);
        AssertClose([3, 6], pairs[0], "pair of window 0");
        AssertClose([6, 12], pairs[3], "pair of window 3");
    }

    [TestMethod]
    public void UnlabeledTailWindowsCarryNaNLabelsForForecasting()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(1, 2, 3, 4, 5), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 3,
            LabelSteps = 2,
            PassThroughColumns = ["Date"],
            IncludeUnlabeledTail = true,
        });

        var windows = Read(view, "Date");

        Assert.HasCount(3, windows);
        AssertClose([4, 5], windows[0].Label, "label 0");
        Assert.AreEqual(5f, windows[1].Label[0]);
        Assert.IsTrue(float.IsNaN(windows[1].Label[1]), "second label value of window 1 lies past the end");
        AssertClose([3, 4, 5], windows[2].Features, "the last window, to forecast from");
        Assert.IsTrue(windows[2].Label.All(float.IsNaN), "the last window's label lies past the end");
        Assert.AreEqual(Day0.AddDays(4), windows[1].Date);
        Assert.AreEqual(default, windows[2].Date, "a label row past the end has no date");
        Assert.AreEqual(0, view.LastCompletedPass!.WindowsSkipped, "past-the-end labels are not skips");
    }

    [TestMethod]
    public void WindowsTouchingNaNOrInfinityAreSkippedAndCounted()
    {
        float[] values = OneToTen;
        values[4] = float.NaN; // row 4: inputs of windows 2, 3, 4 and the label of window 1.
        var view = Ml.Data.CreateSequenceWindows(Series(values), "Value", windowLength: 3);

        Assert.IsNull(view.GetRowCount(), "not known before a pass");
        var windows = Read(view);

        Assert.HasCount(3, windows);
        AssertClose([1, 2, 3], windows[0].Features, "window 0");
        AssertClose([6, 7, 8], windows[1].Features, "window 5");
        AssertClose([7, 8, 9], windows[2].Features, "window 6");
        var stats = view.LastCompletedPass!;
        Assert.AreEqual(10, stats.RowsRead);
        Assert.AreEqual(1, stats.RowsWithNonFiniteValues);
        Assert.AreEqual(3, stats.WindowsProduced);
        Assert.AreEqual(4, stats.WindowsSkippedForNonFiniteValues);
        Assert.AreEqual(4, stats.WindowsSkipped);
        Assert.AreEqual(3L, view.GetRowCount(), "known after a complete pass");

        values[4] = 5;
        values[9] = float.PositiveInfinity; // only the last window's label
        var counted = Ml.Data.CreateSequenceWindows(Series(values), "Value", windowLength: 3).CountWindows();
        Assert.AreEqual(6, counted.WindowsProduced);
        Assert.AreEqual(1, counted.WindowsSkipped);
    }

    [TestMethod]
    public void ZeroReferenceWindowsAreSkippedAndCounted()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(0, 1, 2, 3), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = 2,
            Normalization = SequenceWindowNormalization.RelativeToFirst,
        });

        var stats = view.CountWindows();

        Assert.AreEqual(1, stats.WindowsProduced);
        Assert.AreEqual(1, stats.WindowsSkippedForZeroReference);
        Assert.AreEqual(0, stats.WindowsSkippedForNonFiniteValues);
    }

    [TestMethod]
    public void MissingColumnIsNamedWithTheColumnsThatExist()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Ml.Data.CreateSequenceWindows(Series(OneToTen), "Close", windowLength: 3));

        Assert.Contains("'Close'", error.Message);
        Assert.Contains("'Value' (Single)", error.Message);
    }

    [TestMethod]
    public void WrongInputTypeNamesTheColumnAndBothTypes()
    {
        var rows = Ml.Data.LoadFromEnumerable(new[] { new TwoFeatureStep { Tag = "x" } });

        var error = Assert.Throws<ArgumentException>(() =>
            Ml.Data.CreateSequenceWindows(rows, new SequenceWindowOptions { InputColumns = ["Tag"], WindowLength = 1, TargetColumn = "A" }));

        Assert.Contains("Input column 'Tag' has type String", error.Message);
        Assert.Contains("expected Single or Double", error.Message);
    }

    [TestMethod]
    public void WrongTargetTypeNamesTheColumnAndBothTypes()
    {
        var rows = Ml.Data.LoadFromEnumerable(new[] { new TwoFeatureStep { Tag = "x" } });

        var error = Assert.Throws<ArgumentException>(() =>
            Ml.Data.CreateSequenceWindows(rows, new SequenceWindowOptions { InputColumns = ["A"], TargetColumn = "Pair", WindowLength = 1 }));

        Assert.Contains("Target column 'Pair' has type Vector<Single, 2>", error.Message);
    }

    [TestMethod]
    public void OutOfRangeOptionsAndCollidingNamesAreRejected()
    {
        var series = Series(OneToTen);
        SequenceWindowOptions Options(Action<SequenceWindowOptions> change)
        {
            var options = new SequenceWindowOptions { InputColumns = ["Value"], WindowLength = 3 };
            change(options);
            return options;
        }

        Assert.Contains("WindowLength", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.WindowLength = 0))).Message);
        Assert.Contains("Horizon", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.Horizon = -1))).Message);
        Assert.Contains("LabelSteps", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.LabelSteps = 0))).Message);
        Assert.Contains("Stride", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.Stride = 0))).Message);
        Assert.Contains("'Label'", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.FeaturesColumnName = "Label"))).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(series, Options(o => o.InputColumns = ["Value", "Value"]))).Message);
    }

    [TestMethod]
    public void TooShortSeriesOfKnownLengthFailsAtCreation()
    {
        var error = Assert.Throws<ArgumentException>(() => Ml.Data.CreateSequenceWindows(Series(1, 2, 3), "Value", windowLength: 3));

        Assert.Contains("too short", error.Message);
        Assert.Contains("it has 3 rows", error.Message);
        Assert.Contains("= 4 rows", error.Message);
    }

    [TestMethod]
    public void TooShortSeriesOfUnknownLengthFailsOnTheFirstMove()
    {
        var view = Ml.Data.CreateSequenceWindows(new GeneratedSeriesDataView(5), "Value", windowLength: 5, horizon: 1);
        using var cursor = view.GetRowCursor([]);

        var error = Assert.Throws<InvalidOperationException>(() => cursor.MoveNext());

        Assert.Contains("too short", error.Message);
        Assert.Contains("it has 5 rows", error.Message);
    }

    [TestMethod]
    public void GettersCheckTheirTypeAndTheViewCannotShuffle()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(OneToTen), "Value", windowLength: 3);

        Assert.IsFalse(view.CanShuffle);
        Assert.HasCount(1, view.GetRowCursorSet(view.Schema, 4, new Random(1)));
        using var cursor = view.GetRowCursor(view.Schema);
        var error = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(view.Schema["Label"]));
        Assert.Contains("'Label'", error.Message);
        var getter = cursor.GetGetter<float>(view.Schema["Label"]);
        float label = 0;
        Assert.Throws<InvalidOperationException>(() => getter(ref label), "no row before MoveNext");
    }

    [TestMethod]
    public void WindowsWorkWithMlNetOperations()
    {
        var view = Ml.Data.CreateSequenceWindows(Series(OneToTen), "Value", windowLength: 3);

        var tail = Ml.Data.SkipRows(view, 5);
        var labels = tail.GetColumn<float>("Label").ToArray();

        CollectionAssert.AreEqual(new[] { 9f, 10f }, labels);
    }

    [TestMethod]
    public void StreamsFiveMillionRowsWithFlatMemory()
    {
        // The view, its cursor and every window are made on this thread, so this thread's allocations bound what they
        // hold, whatever other tests do meanwhile (a process-wide heap figure would count their objects too). Buffering
        // the series, at the first row or along the way, would take at least 20 MB (5 million floats).
        const long rows = 5_000_000;
        const int window = 32;
        long start = GC.GetAllocatedBytesForCurrentThread();
        var view = Ml.Data.CreateSequenceWindows(new GeneratedSeriesDataView(rows), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = window,
            Normalization = SequenceWindowNormalization.RelativeToLast,
            PassThroughColumns = ["Index"],
        });

        using var cursor = view.GetRowCursor(view.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var label = cursor.GetGetter<float>(view.Schema["Label"]);
        var index = cursor.GetGetter<long>(view.Schema["Index"]);
        VBuffer<float> buffer = default;
        float labelValue = 0;
        long indexValue = 0;
        Assert.IsTrue(cursor.MoveNext());
        features(ref buffer);

        long opened = GC.GetAllocatedBytesForCurrentThread();
        long count = 1;
        double checksum = 0;
        while (cursor.MoveNext())
        {
            features(ref buffer);
            label(ref labelValue);
            index(ref indexValue);
            checksum += buffer.GetValues()[0];
            count++;
        }

        long streamed = GC.GetAllocatedBytesForCurrentThread();

        Assert.AreEqual(rows - window, count);
        Assert.AreEqual(rows - 1, indexValue, "the last label row");
        float last = GeneratedSeriesDataView.ValueAt(rows - 2);
        Assert.AreEqual(GeneratedSeriesDataView.ValueAt(rows - 1) / last - 1, labelValue, 1e-6f);
        Assert.AreEqual(GeneratedSeriesDataView.ValueAt(rows - window - 1) / last - 1, buffer.GetValues()[0], 1e-6f);
        Assert.IsTrue(double.IsFinite(checksum));
        Assert.IsLessThan(1024 * 1024L, opened - start, $"allocated {opened - start} bytes up to the first window");
        Assert.IsLessThan(1024 * 1024L, streamed - opened, $"allocated {streamed - opened} bytes over the next {count - 1} windows");
        Assert.AreEqual(count, view.GetRowCount());
    }
}
