using Microsoft.ML.Data;
using static Microsoft.ML.Rnn.Tests.WindowTransforms.WindowTransformData;

namespace Microsoft.ML.Rnn.Tests.WindowTransforms;

/// <summary>What the two transforms give row by row: the normalisation CreateSequenceWindows applies, NaN where it would skip the window,
/// and NaN forecasts for an unusable reference.</summary>
[TestClass]
public sealed class WindowTransformBehaviourTests
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }

        public float WindowReference { get; set; }

        public float[] Steps { get; set; } = [];
    }

    [TestMethod]
    public void WindowIsRelativeToEachFeaturesReferenceAndTheTargetsReferenceIsWritten()
    {
        var ml = new MLContext(1);
        IDataView input = ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 2, 3, 4, 5, 8], Label = 12 } });
        IDataView output = ml.Transforms.NormalizeSequenceWindow("Normalized", "Features", SequenceWindowNormalization.RelativeToLast, featuresPerStep: 2, referenceFeature: 1)
            .Fit(input).Transform(input);

        float[] window = output.GetColumn<float[]>("Normalized").Single();
        float[] expected = [1, 2, 3, 4, 5, 8];
        for (int i = 0; i < expected.Length; i++)
            expected[i] = SequenceWindowNormalizer.Normalize(expected[i], i % 2 == 0 ? 5 : 8);
        CollectionAssert.AreEqual(expected, window);
        Assert.AreEqual(8f, output.GetColumn<float>("WindowReference").Single());
        Assert.AreEqual(SequenceWindowNormalizer.Normalize(12, 8), output.GetColumn<float>("Label").Single());
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 8 }, output.GetColumn<float[]>("Features").Single(), "the input column is kept");
    }

    [TestMethod]
    public void UnusableWindowsComeOutNaN()
    {
        var ml = new MLContext(1);
        float[][] windows =
        [
            [1, 2, 3, 0],           // zero reference (last step, feature 1)
            [0, 2, 3, 4],           // zero reference of RelativeToFirst only: fine for RelativeToLast
            [1, 2, float.NaN, 4],   // a non-finite value
            [1, 2, 3, 4, 5],        // not a whole number of steps
            [1e30f, 2, 1e-30f, 4],  // 1e30 / 1e-30 leaves Single's range
            [],
        ];
        IDataView input = ml.Data.LoadFromEnumerable(windows.Select(w => new Row { Features = w, Label = 1 }));
        IDataView output = ml.Transforms.NormalizeSequenceWindow("Features", featuresPerStep: 2, referenceFeature: 1).Fit(input).Transform(input);

        float[][] normalized = output.GetColumn<float[]>("Features").ToArray();
        float[] references = output.GetColumn<float>("WindowReference").ToArray();
        float[] labels = output.GetColumn<float>("Label").ToArray();
        bool[] usable = [false, true, false, false, false, false];
        for (int i = 0; i < windows.Length; i++)
        {
            Assert.HasCount(windows[i].Length, normalized[i], $"row {i} keeps its length");
            Assert.AreEqual(usable[i], normalized[i].All(float.IsFinite) && float.IsFinite(references[i]) && float.IsFinite(labels[i]), $"row {i}");
            if (!usable[i])
                Assert.IsTrue(normalized[i].All(float.IsNaN) && float.IsNaN(references[i]) && float.IsNaN(labels[i]), $"row {i} is all NaN");
        }
    }

    [TestMethod]
    public void TheRowsLeftFiniteAreExactlyTheWindowsCreateSequenceWindowsKeeps()
    {
        var ml = new MLContext(1);
        // A zero close and a tiny open: windows whose reference step holds them cannot be normalised.
        void Damage(Day[] days)
        {
            days[20].Close = 0;
            days[33].Open = 1e-40f;
        }

        IDataView raw = ml.Data.CreateSequenceWindows(Series(ml, change: Damage), Windows(SequenceWindowNormalization.None));
        IDataView normalized = ml.Transforms.NormalizeSequenceWindow("Features", featuresPerStep: FeaturesPerStep, referenceFeature: 1).Fit(raw).Transform(raw);
        var kept = normalized.GetColumn<float[]>("Features").Zip(normalized.GetColumn<float>("WindowReference"), normalized.GetColumn<float>("Label"))
            .Where(r => float.IsFinite(r.Second)).ToArray();
        SequenceWindowDataView byHand = ml.Data.CreateSequenceWindows(Series(ml, change: Damage), Windows(SequenceWindowNormalization.RelativeToLast));
        float[][] expectedFeatures = byHand.GetColumn<float[]>("Features").ToArray();

        Assert.IsLessThan(raw.GetColumn<float>("Label").Count(), kept.Length, "some windows were dropped");
        Assert.AreEqual(Bits(expectedFeatures), Bits(kept.Select(r => r.First).ToArray()));
        Assert.AreEqual(Bits(byHand.GetColumn<float>("WindowReference").Select(v => new[] { v }).ToArray()), Bits(kept.Select(r => new[] { r.Second }).ToArray()));
        Assert.AreEqual(Bits(byHand.GetColumn<float>("Label").Select(v => new[] { v }).ToArray()), Bits(kept.Select(r => new[] { r.Third }).ToArray()));
    }

    [TestMethod]
    public void ForecastIsMappedBackAndAnUnusableReferenceGivesNaN()
    {
        var ml = new MLContext(1);
        var rows = new[]
        {
            new Scored { Score = 0.5f, WindowReference = 2, Steps = [0.5f, -0.25f] },
            new Scored { Score = 0.5f, WindowReference = 0, Steps = [0.5f, -0.25f] },
            new Scored { Score = 0.5f, WindowReference = float.NaN, Steps = [0.5f, -0.25f] },
            new Scored { Score = 0.5f, WindowReference = float.PositiveInfinity, Steps = [0.5f, -0.25f] },
        };
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        IDataView scalar = ml.Transforms.DenormalizeSequenceForecast().Fit(input).Transform(input);
        IDataView vector = ml.Transforms.DenormalizeSequenceForecast("Forecast", "Steps").Fit(input).Transform(input);

        float[] scores = scalar.GetColumn<float>("Score").ToArray();
        Assert.AreEqual(SequenceWindowNormalizer.Denormalize(0.5f, 2), scores[0]);
        Assert.IsTrue(scores.Skip(1).All(float.IsNaN), string.Join(", ", scores));
        float[][] forecasts = vector.GetColumn<float[]>("Forecast").ToArray();
        CollectionAssert.AreEqual(new[] { SequenceWindowNormalizer.Denormalize(0.5f, 2), SequenceWindowNormalizer.Denormalize(-0.25f, 2) }, forecasts[0]);
        Assert.IsTrue(forecasts.Skip(1).All(f => f.Length == 2 && f.All(float.IsNaN)));
    }

    [TestMethod]
    public void IntervalColumnsAreMappedBackWhenPresent()
    {
        var ml = new MLContext(1);
        IDataView input = ml.Data.LoadFromEnumerable(new[] { new Interval { Score = 0.1f, LowerBound = -0.2f, UpperBound = 0.3f, WindowReference = 10 } });
        IDataView output = ml.Transforms.DenormalizeSequenceForecast().Fit(input).Transform(input);

        Assert.AreEqual(SequenceWindowNormalizer.Denormalize(0.1f, 10), output.GetColumn<float>("Score").Single());
        Assert.AreEqual(SequenceWindowNormalizer.Denormalize(-0.2f, 10), output.GetColumn<float>("LowerBound").Single());
        Assert.AreEqual(SequenceWindowNormalizer.Denormalize(0.3f, 10), output.GetColumn<float>("UpperBound").Single());
    }

    [TestMethod]
    public void InvalidArgumentsAndColumnsAreRejected()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentException>(() => ml.Transforms.NormalizeSequenceWindow("Features", normalization: SequenceWindowNormalization.None));
        Assert.Throws<ArgumentException>(() => ml.Transforms.NormalizeSequenceWindow("Features", featuresPerStep: 2, referenceFeature: 2));
        Assert.Throws<ArgumentException>(() => ml.Transforms.NormalizeSequenceWindow("Features", featuresPerStep: 0));
        Assert.Throws<ArgumentException>(() => ml.Transforms.NormalizeSequenceWindow("Features", referenceColumnName: "Features"));
        Assert.Throws<ArgumentException>(() => ml.Transforms.DenormalizeSequenceForecast(referenceColumnName: "Score"));

        IDataView scalarWindow = ml.Data.LoadFromEnumerable(new[] { new Interval() });
        Assert.Throws<ArgumentException>(() => ml.Transforms.NormalizeSequenceWindow("Score").Fit(scalarWindow));
        Assert.Throws<ArgumentException>(() => ml.Transforms.DenormalizeSequenceForecast("Score", referenceColumnName: "Missing").Fit(scalarWindow));
        Assert.Throws<ArgumentException>(() => ml.Transforms.DenormalizeSequenceForecast("Out", "Missing").Fit(scalarWindow));
    }

    private sealed class Interval
    {
        public float Score { get; set; }

        public float LowerBound { get; set; }

        public float UpperBound { get; set; }

        public float WindowReference { get; set; }
    }
}
