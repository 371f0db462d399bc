using MathNet.Numerics.Distributions;
using MathNet.Numerics.Integration;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.Probabilistic;

/// <summary><c>EvaluateIntervals</c> against values computed independently: MathNet's Normal density, the CRPS as the integral
/// ∫ (F(x) − 1{x ≥ y})² dx by numerical quadrature, the pinball loss and coverage by hand.</summary>
[TestClass]
public sealed class IntervalEvaluatorTests
{
    private sealed class Row
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public float StandardDeviation { get; set; }
        public float LowerBound { get; set; }
        public float UpperBound { get; set; }
    }

    private sealed class VectorRow
    {
        [VectorType(2)] public float[] Label { get; set; } = [];
        [VectorType(2)] public float[] Score { get; set; } = [];
        [VectorType(2)] public float[] StandardDeviation { get; set; } = [];
        [VectorType(2)] public float[] LowerBound { get; set; } = [];
        [VectorType(2)] public float[] UpperBound { get; set; } = [];
    }

    private static Row[] Rows() =>
    [
        new() { Label = 1.0f, Score = 0.5f, StandardDeviation = 0.4f, LowerBound = 0f, UpperBound = 1.2f },
        new() { Label = -2.0f, Score = 0.1f, StandardDeviation = 1.5f, LowerBound = -1.5f, UpperBound = 2f },
        new() { Label = 3.0f, Score = 2.5f, StandardDeviation = 0.2f, LowerBound = 2.2f, UpperBound = 2.8f },
        new() { Label = 0.3f, Score = 0.3f, StandardDeviation = 2.0f, LowerBound = -3f, UpperBound = 3.5f },
        new() { Label = float.NaN, Score = 0f, StandardDeviation = 1f, LowerBound = -1f, UpperBound = 1f },
        new() { Label = 0f, Score = float.NaN, StandardDeviation = float.NaN, LowerBound = float.NaN, UpperBound = float.NaN },
    ];

    [TestMethod]
    public void MetricsMatchIndependentComputations()
    {
        var ml = new MLContext(1);
        Row[] rows = Rows();
        IntervalForecastMetrics metrics = ml.Regression.EvaluateIntervals(ml.Data.LoadFromEnumerable(rows), 0.8f);
        Row[] counted = rows.Take(4).ToArray();
        Assert.AreEqual(4, metrics.Count);
        Assert.AreEqual(1, metrics.MissingLabelCount);
        Assert.AreEqual(1, metrics.NaNPredictionCount);
        Assert.AreEqual(0.8, metrics.ConfidenceLevel, 1e-7);
        Assert.AreEqual(2 / 4.0, metrics.Coverage, 1e-12); // rows 0 and 3 inside; row 1 below, row 2 above
        Assert.AreEqual(counted.Average(r => (double)r.UpperBound - r.LowerBound), metrics.MeanIntervalWidth, 1e-9);
        Assert.AreEqual(counted.Average(r => -Normal.PDFLn(r.Score, r.StandardDeviation, r.Label)), metrics.MeanNegativeLogLikelihood, 1e-9);
        double crps = counted.Average(r =>
        {
            var normal = new Normal(r.Score, r.StandardDeviation);
            double lo = r.Score - 12 * r.StandardDeviation, hi = r.Score + 12 * r.StandardDeviation;
            return NewtonCotesTrapeziumRule.IntegrateAdaptive(x => Math.Pow(normal.CumulativeDistribution(x) - (x >= r.Label ? 1 : 0), 2), lo, r.Label, 1e-10)
                + NewtonCotesTrapeziumRule.IntegrateAdaptive(x => Math.Pow(normal.CumulativeDistribution(x) - 1, 2), r.Label, hi, 1e-10);
        });
        Assert.AreEqual(crps, metrics.ContinuousRankedProbabilityScore, 1e-6);
        // Pinball at τ = 0.1 (lower) and 0.9 (upper): row 1 is 0.5 below its lower bound, row 2 0.2 above its upper.
        double lower = (0.1 * 1.0 + 0.9 * 0.5 + 0.1 * 0.8 + 0.1 * 3.3) / 4, upper = (0.1 * 0.2 + 0.1 * 4.0 + 0.9 * 0.2 + 0.1 * 3.2) / 4;
        Assert.AreEqual(lower, metrics.LowerQuantileLoss, 1e-6);
        Assert.AreEqual(upper, metrics.UpperQuantileLoss, 1e-6);
    }

    [TestMethod]
    public void VectorColumnsCountEveryValue()
    {
        var ml = new MLContext(1);
        Row[] r = Rows();
        var vectors = new[]
        {
            new VectorRow { Label = [r[0].Label, r[1].Label], Score = [r[0].Score, r[1].Score], StandardDeviation = [r[0].StandardDeviation, r[1].StandardDeviation],
                LowerBound = [r[0].LowerBound, r[1].LowerBound], UpperBound = [r[0].UpperBound, r[1].UpperBound] },
            new VectorRow { Label = [r[2].Label, r[3].Label], Score = [r[2].Score, r[3].Score], StandardDeviation = [r[2].StandardDeviation, r[3].StandardDeviation],
                LowerBound = [r[2].LowerBound, r[3].LowerBound], UpperBound = [r[2].UpperBound, r[3].UpperBound] },
        };
        IntervalForecastMetrics fromVectors = ml.Regression.EvaluateIntervals(ml.Data.LoadFromEnumerable(vectors), 0.8f);
        IntervalForecastMetrics fromScalars = ml.Regression.EvaluateIntervals(ml.Data.LoadFromEnumerable(r.Take(4)), 0.8f);
        Assert.AreEqual(fromScalars.Count, fromVectors.Count);
        Assert.AreEqual(fromScalars.ContinuousRankedProbabilityScore, fromVectors.ContinuousRankedProbabilityScore, 1e-12);
        Assert.AreEqual(fromScalars.Coverage, fromVectors.Coverage);
    }

    [TestMethod]
    public void BadArgumentsAreRefusedByName()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows());
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateIntervals(data, 1f));
        StringAssert.Contains(e.Message, "Argument 'confidenceLevel' is 1; expected a probability strictly between 0 and 1");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateIntervals(data, upperBoundColumnName: "Upper"));
        StringAssert.Contains(e.Message, "Column 'Upper': found no such column");
    }
}
