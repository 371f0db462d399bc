using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// Windows at the edges: a window far longer than the series fails as "too short" without allocating a buffer for it, a long
/// window still streams right through a ring that grows, and normalisation that overflows Single is skipped and counted.
/// </summary>
[TestClass]
public sealed class SequenceWindowLimitsTests
{
    private const int HugeWindow = 300_000_000;

    private static readonly MLContext Ml = new(seed: 1);

    private sealed class Step
    {
        public float Value { get; set; }
    }

    private static IDataView Series(params float[] values) => Ml.Data.LoadFromEnumerable(values.Select(v => new Step { Value = v }).ToArray());

    [TestMethod]
    public void HugeWindowOnAShortSeriesOfUnknownLengthFailsWithoutAllocatingTheWindow()
    {
        // GeneratedSeriesDataView does not know its row count, so only reading the series shows that it is too short.
        long start = GC.GetAllocatedBytesForCurrentThread();
        var view = Ml.Data.CreateSequenceWindows(new GeneratedSeriesDataView(10), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = HugeWindow,
            Normalization = SequenceWindowNormalization.RelativeToLast,
            PassThroughColumns = ["Index"],
        });
        using var cursor = view.GetRowCursor(view.Schema);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.MoveNext());

        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        Assert.Contains("too short", error.Message);
        Assert.Contains("it has 10 rows", error.Message);
        Assert.IsLessThan(10L << 20, allocated, $"allocated {allocated} bytes");

        start = GC.GetAllocatedBytesForCurrentThread();
        Assert.ThrowsExactly<InvalidOperationException>(() => view.CountWindows());
        Assert.IsLessThan(10L << 20, GC.GetAllocatedBytesForCurrentThread() - start, "CountWindows");
    }

    [TestMethod]
    public void HugeWindowOnAShortSeriesOfKnownLengthFailsAtCreation()
    {
        long start = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            Ml.Data.CreateSequenceWindows(Series(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "Value", windowLength: HugeWindow));

        Assert.Contains("too short", error.Message);
        Assert.Contains("it has 10 rows", error.Message);
        Assert.IsLessThan(10L << 20, GC.GetAllocatedBytesForCurrentThread() - start);
    }

    [TestMethod]
    public void LongWindowsStreamThroughAGrowingRing()
    {
        // Longer than any ring a cursor starts with, so the ring grows while the first window is read, then wraps.
        const int window = 3000;
        const long rows = 5000;
        var view = Ml.Data.CreateSequenceWindows(new GeneratedSeriesDataView(rows), new SequenceWindowOptions
        {
            InputColumns = ["Value"],
            WindowLength = window,
            PassThroughColumns = ["Index"],
            PassThroughRow = PassThroughRow.LastWindowRow,
        });
        using var cursor = view.GetRowCursor(view.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var label = cursor.GetGetter<float>(view.Schema["Label"]);
        var index = cursor.GetGetter<long>(view.Schema["Index"]);
        VBuffer<float> buffer = default;
        float labelValue = 0;
        long indexValue = 0;
        long count = 0;
        while (cursor.MoveNext())
        {
            features(ref buffer);
            label(ref labelValue);
            index(ref indexValue);
            float[] values = buffer.DenseValues().ToArray();
            for (int step = 0; step < window; step += 499)
            {
                Assert.AreEqual(GeneratedSeriesDataView.ValueAt(count + step), values[step], $"window {count}, step {step}");
            }

            Assert.AreEqual(GeneratedSeriesDataView.ValueAt(count + window - 1), values[^1]);
            Assert.AreEqual(GeneratedSeriesDataView.ValueAt(count + window), labelValue);
            Assert.AreEqual(count + window - 1, indexValue);
            count++;
        }

        Assert.AreEqual(rows - window, count);
    }

    [TestMethod]
    public void WindowsWhoseNormalisedValuesOverflowAreSkippedAndCounted()
    {
        // 1 / 1e-40 and 1e10 / 1e-30 are finite in Double but not in Single.
        (float[] Series, SequenceWindowNormalization Normalization)[] cases =
        [
            ([1e-40f, 1, 2, 3, 4, 5], SequenceWindowNormalization.RelativeToFirst), // window 0: a feature and the label
            ([1, 1e-40f, 2, 3, 4], SequenceWindowNormalization.RelativeToLast), // window 0: a feature
            ([1e-30f, 1e-30f, 1e10f, 1, 1], SequenceWindowNormalization.RelativeToLast), // window 0: only the label
        ];
        foreach (var (series, normalization) in cases)
        {
            var view = Ml.Data.CreateSequenceWindows(Series(series), new SequenceWindowOptions
            {
                InputColumns = ["Value"],
                WindowLength = 2,
                Normalization = normalization,
            });

            float[][] features = view.GetColumn<float[]>("Features").ToArray();
            float[] labels = view.GetColumn<float>("Label").ToArray();

            string what = $"{normalization} over {string.Join(", ", series)}";
            Assert.HasCount(series.Length - 3, features, what);
            Assert.IsTrue(features.All(f => f.All(float.IsFinite)) && labels.All(float.IsFinite), what);
            SequenceWindowStatistics stats = view.LastCompletedPass!;
            Assert.AreEqual(1, stats.WindowsSkippedForNonFiniteValues, what);
            Assert.AreEqual(0, stats.WindowsSkippedForZeroReference, what);
            Assert.AreEqual(0, stats.RowsWithNonFiniteValues, what);
        }
    }
}
