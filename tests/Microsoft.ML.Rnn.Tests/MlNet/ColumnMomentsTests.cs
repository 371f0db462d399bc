using MathNet.Numerics.Statistics;

namespace Microsoft.ML.Rnn.Tests.MlNet;

[TestClass]
public sealed class ColumnMomentsTests
{
    [TestMethod]
    public void MomentsMatchMathNetOverEveryStepOfEveryRowIncludingLargeOffsets()
    {
        // Three columns per step, rows of different lengths; column 1 sits at a million with a spread of 1, where one
        // sum of squares would cancel away the deviation.
        var random = new Random(3);
        const int columns = 3;
        float[][] rows = Enumerable.Range(0, 40).Select(r => Enumerable.Range(0, columns * (1 + r % 7)).Select(i => (i % columns) switch
        {
            0 => (float)(random.NextDouble() * 2 - 1),
            1 => (float)(1e6 + random.NextDouble()),
            _ => -0.001f * (float)random.NextDouble(),
        }).ToArray()).ToArray();

        RnnColumnMoments moments = RnnColumnMoments.Of(rows.Length, columns, r => rows[r]);

        for (int c = 0; c < columns; c++)
        {
            double[] column = rows.SelectMany(row => row.Where((_, i) => i % columns == c)).Select(v => (double)v).ToArray();
            Assert.AreEqual(column.Mean(), moments.Mean[c], 1e-12 * Math.Max(1, Math.Abs(column.Mean())), $"mean of column {c}");
            Assert.AreEqual(column.Select(Math.Abs).Mean(), moments.MeanAbsolute[c], 1e-12 * Math.Max(1, column.Select(Math.Abs).Mean()), $"mean |x| of column {c}");
            Assert.AreEqual(column.PopulationStandardDeviation(), moments.StandardDeviation[c], 1e-9 * column.PopulationStandardDeviation(), $"deviation of column {c}");
        }
    }

    [TestMethod]
    public void AConstantColumnHasNoDeviation()
    {
        float[][] rows = [[2f, 5f, 2f, 6f], [2f, 7f]];
        RnnColumnMoments moments = RnnColumnMoments.Of(rows.Length, 2, r => rows[r]);
        Assert.AreEqual(0, moments.StandardDeviation[0]);
        Assert.AreEqual(2, moments.Mean[0]);
        Assert.AreEqual(6, moments.Mean[1], 1e-15);
        Assert.AreEqual(Math.Sqrt(2.0 / 3), moments.StandardDeviation[1], 1e-15);
    }
}
