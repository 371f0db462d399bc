using StockSequence.Forecasting;

namespace StockSequence.Tests;

/// <summary>The small-sample Diebold-Mariano test against computations by hand and values of Student's t.</summary>
[TestClass]
public sealed class DieboldMarianoTestTests
{
    [TestMethod]
    public void OneStepMatchesAHandComputation()
    {
        // d = 1, -1, 2, 0: mean 1/2, gamma0 = (0.25 + 2.25 + 2.25 + 0.25) / 4 = 5/4.
        // DM = 0.5 / sqrt(1.25 / 4) = 2 / sqrt(5); HLN factor sqrt((4 + 1 - 2 + 0) / 4) = sqrt(3/4); product sqrt(3/5).
        var test = DieboldMarianoTest.Compute([1, -1, 2, 0], horizon: 1)!;

        Assert.AreEqual(Math.Sqrt(0.6), test.Statistic, 1e-12);
        Assert.AreEqual(3, test.DegreesOfFreedom);
        // Student's t with 3 degrees of freedom: F(t) = 1/2 + (1/pi) (t / (sqrt 3 (1 + t²/3)) + atan(t / sqrt 3)).
        double t = Math.Sqrt(0.6);
        double cdf = 0.5 + (t / (Math.Sqrt(3) * (1 + t * t / 3)) + Math.Atan(t / Math.Sqrt(3))) / Math.PI;
        Assert.AreEqual(2 * (1 - cdf), test.PValue, 1e-9);
    }

    [TestMethod]
    public void TwoStepsUseOneAutocovarianceAndTheHorizonInTheCorrection()
    {
        // d = 1, 2, 3, 5, 4: mean 3, deviations -2, -1, 0, 2, 1; gamma0 = 10/5 = 2, gamma1 = (2 + 0 + 0 + 2)/5 = 0.8.
        // V = 2 + 2 * 0.8 = 3.6; DM = 3 / sqrt(3.6 / 5) = 5 / sqrt 2. HLN: (5 + 1 - 4 + 2/5) / 5 = 0.48; product sqrt 6.
        var test = DieboldMarianoTest.Compute([1, 2, 3, 5, 4], horizon: 2)!;

        Assert.AreEqual(Math.Sqrt(6), test.Statistic, 1e-12);
        Assert.AreEqual(4, test.DegreesOfFreedom);
        // Student's t with 4 degrees of freedom: with x = t / sqrt(1 + t²/4), F(t) = 1/2 + (3/8) x (1 - t² / (12 (1 + t²/4))).
        // At t² = 6: x = sqrt 2.4, F = 0.5 + 0.375 * 1.549193 * 0.8 = 0.964758, p = 0.070484.
        double t2 = 6, x = Math.Sqrt(t2 / (1 + t2 / 4));
        double cdf = 0.5 + 3.0 / 8 * x * (1 - t2 / (12 * (1 + t2 / 4)));
        Assert.AreEqual(2 * (1 - cdf), test.PValue, 1e-9);
        Assert.AreEqual(0.070484, test.PValue, 1e-6);
    }

    [TestMethod]
    public void TheTabulatedCriticalValueHasPValueFivePercent()
    {
        // Ten losses c ± 1 alternating: sample standard deviation sqrt(10/9), standard error 1/3, so t = 3c. Tables of Student's
        // t give 2.262 as the two-sided 5% critical value for 9 degrees of freedom (2.2621571628 to more digits).
        const double critical = 2.2621571628;
        double c = critical / 3;
        double[] d = Enumerable.Range(0, 10).Select(i => c + (i % 2 == 0 ? 1 : -1)).ToArray();

        var test = DieboldMarianoTest.Compute(d, horizon: 1)!;

        Assert.AreEqual(critical, test.Statistic, 1e-9);
        Assert.AreEqual(9, test.DegreesOfFreedom);
        Assert.AreEqual(0.05, test.PValue, 1e-9);
    }

    [TestMethod]
    public void OneStepIsTheOneSampleTStatistic()
    {
        double[] d = Enumerable.Range(0, 40).Select(i => Math.Sin(i * 1.3) + 0.2).ToArray();
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1));

        Assert.AreEqual(mean / (sd / Math.Sqrt(d.Length)), DieboldMarianoTest.Compute(d, 1)!.Statistic, 1e-12);
    }

    [TestMethod]
    public void UndefinedCasesAreNull()
    {
        Assert.IsNull(DieboldMarianoTest.Compute([0.5, 0.5, 0.5], 1), "no variance");
        Assert.IsNull(DieboldMarianoTest.Compute([1], 1), "one forecast");
        Assert.IsNull(DieboldMarianoTest.Compute([1, 2], 2), "n < 2h: the correction is not positive");
        Assert.IsNull(DieboldMarianoTest.Compute([1, -1, 2, 0], 2), "gamma0 + 2 gamma1 = 1.25 - 1.875 is negative");
    }

    [TestMethod]
    public void TheMinimumGrowsWithTheHorizon()
    {
        Assert.AreEqual(10, DieboldMarianoTest.MinimumForecasts(1));
        Assert.AreEqual(50, DieboldMarianoTest.MinimumForecasts(5));
    }
}
