namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>Comparisons against reference values within a relative tolerance, with an absolute floor near zero.</summary>
internal static class Close
{
    public const float Relative = 1e-4f;

    /// <summary>|actual − expected| ≤ relative · max(|expected|, floor) for every element.</summary>
    public static void AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, float relative = Relative, float floor = 1e-2f)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = relative * Math.Max(Math.Abs(expected[i]), floor);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {tolerance}).");
        }
    }
}
