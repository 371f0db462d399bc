using System.Numerics;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>The vector activations against double-precision mathematics, over their whole useful range.</summary>
[TestClass]
public sealed class ActivationTests
{
    [TestMethod]
    public void ExpIsWithinTwoUnitsInTheLastPlace()
    {
        double worst = WorstRelativeError(Activations.Exp, Math.Exp, -87f, 88f);
        Assert.IsTrue(worst <= 2.5e-7, $"worst relative error {worst:E2}");
    }

    [TestMethod]
    public void SigmoidIsWithinAFewUnitsInTheLastPlace()
    {
        double worst = WorstRelativeError(Activations.Sigmoid, x => 1 / (1 + Math.Exp(-x)), -80f, 80f);
        Assert.IsTrue(worst <= 5e-7, $"worst relative error {worst:E2}");
    }

    [TestMethod]
    public void TanhIsWithinAFewUnitsInTheLastPlaceOfOne()
    {
        // tanh is computed as 1 − 2/(e^{2|x|} + 1): near zero that cancels, so its error is absolute (a few ulp of 1),
        // which is what a gate or a state can carry; away from zero it is relative.
        double worstAbsolute = WorstAbsoluteError(Activations.Tanh, Math.Tanh, -20f, 20f);
        double worstRelative = WorstRelativeError(Activations.Tanh, Math.Tanh, 0.5f, 20f);
        Assert.IsTrue(worstAbsolute <= 2.5e-7, $"worst absolute error {worstAbsolute:E2}");
        Assert.IsTrue(worstRelative <= 5e-7, $"worst relative error {worstRelative:E2}");
    }

    [TestMethod]
    public void ExtremesSaturateAndNaNPropagates()
    {
        float[] inputs = [float.NegativeInfinity, -1e30f, -100f, 100f, 1e30f, float.PositiveInfinity, float.NaN, 0f];
        float[] sigmoid = Apply(Activations.Sigmoid, inputs), tanh = Apply(Activations.Tanh, inputs), exp = Apply(Activations.Exp, inputs);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f, 1f, 1f, 1f }, sigmoid[..6].Select(v => MathF.Round(v, 6)).ToArray());
        CollectionAssert.AreEqual(new[] { -1f, -1f, -1f, 1f, 1f, 1f }, tanh[..6]);
        Assert.IsTrue(float.IsNaN(sigmoid[6]) && float.IsNaN(tanh[6]) && float.IsNaN(exp[6]), "NaN in, NaN out");
        Assert.AreEqual(0.5f, sigmoid[7]);
        Assert.AreEqual(0f, tanh[7]);
        Assert.AreEqual(1f, exp[7]);
        Assert.IsTrue(exp.Take(6).All(float.IsFinite), "exp clamps to the finite range");
    }

    private static double WorstRelativeError(Func<Vector<float>, Vector<float>> f, Func<double, double> exact, float from, float to) =>
        Sweep(f, from, to).Max(p => Math.Abs(p.Actual - exact(p.X)) / Math.Abs(exact(p.X)));

    private static double WorstAbsoluteError(Func<Vector<float>, Vector<float>> f, Func<double, double> exact, float from, float to) =>
        Sweep(f, from, to).Max(p => Math.Abs(p.Actual - exact(p.X)));

    /// <summary>A million points evenly over [from, to], plus 2000 points 1e-6 apart around zero (clamped to the range).</summary>
    private static IEnumerable<(double X, double Actual)> Sweep(Func<Vector<float>, Vector<float>> f, float from, float to)
    {
        const int points = 1 << 20;
        var xs = new float[points + 2000];
        for (int i = 0; i < points; i++)
            xs[i] = from + (to - from) * i / (points - 1);
        for (int i = 0; i < 2000; i++)
            xs[points + i] = Math.Clamp((i - 1000) * 1e-6f, from, to);
        float[] ys = Apply(f, xs);
        for (int i = 0; i < xs.Length; i++)
            yield return (xs[i], ys[i]);
    }

    private static float[] Apply(Func<Vector<float>, Vector<float>> f, float[] xs)
    {
        var ys = new float[xs.Length];
        int width = Vector<float>.Count;
        var block = new float[width];
        for (int start = 0; start < xs.Length; start += width)
        {
            int count = Math.Min(width, xs.Length - start);
            Array.Clear(block);
            Array.Copy(xs, start, block, 0, count);
            f(new Vector<float>(block)).CopyTo(block);
            Array.Copy(block, 0, ys, start, count);
        }

        return ys;
    }
}
