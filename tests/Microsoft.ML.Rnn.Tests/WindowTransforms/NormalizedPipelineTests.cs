using Microsoft.ML.Data;
using static Microsoft.ML.Rnn.Tests.WindowTransforms.WindowTransformData;

namespace Microsoft.ML.Rnn.Tests.WindowTransforms;

/// <summary>
/// Raw windows → NormalizeSequenceWindow → RNN → DenormalizeSequenceForecast, saved and loaded in a fresh MLContext, forecasts in the
/// original units exactly as the by-hand route does: windows normalised by CreateSequenceWindows, the same trainer, and
/// <see cref="SequenceWindowNormalizer.Denormalize(float, float)"/> on each score.
/// </summary>
[TestClass]
public sealed class NormalizedPipelineTests
{
    /// <summary>The by-hand route's forecasts in the original units, from the existing, separately tested functions.</summary>
    private static float[][] ByHand(SequenceWindowNormalization normalization, int labelSteps)
    {
        var ml = new MLContext(1);
        IDataView windows = ml.Data.CreateSequenceWindows(Series(ml), Windows(normalization, labelSteps));
        IDataView scored = Trainer(ml).Fit(windows).Transform(windows);
        float[] references = scored.GetColumn<float>(SequenceWindowOptions.DefaultReferenceColumnName).ToArray();
        return Rows(scored, "Score").Select((score, i) =>
        {
            var forecast = new float[score.Length];
            SequenceWindowNormalizer.Denormalize(score, references[i], forecast);
            return forecast;
        }).ToArray();
    }

    /// <summary>The pipeline on raw windows, fitted and saved.</summary>
    private static byte[] SavedPipeline(SequenceWindowNormalization normalization, int labelSteps)
    {
        var ml = new MLContext(1);
        IDataView raw = ml.Data.CreateSequenceWindows(Series(ml), Windows(SequenceWindowNormalization.None, labelSteps));
        var pipeline = ml.Transforms.NormalizeSequenceWindow("Features", normalization: normalization, featuresPerStep: FeaturesPerStep, referenceFeature: 1)
            .Append(Trainer(ml))
            .Append(ml.Transforms.DenormalizeSequenceForecast());
        ITransformer model = pipeline.Fit(raw);
        using var stream = new MemoryStream();
        ml.Model.Save(model, raw.Schema, stream);
        return stream.ToArray();
    }

    [TestMethod]
    [DataRow(SequenceWindowNormalization.RelativeToLast, 1, DisplayName = "RelativeToLast, scalar Score")]
    [DataRow(SequenceWindowNormalization.RelativeToFirst, 3, DisplayName = "RelativeToFirst, 3-step vector Score")]
    public void SavedPipelineOnRawWindowsForecastsAsTheByHandRoute(SequenceWindowNormalization normalization, int labelSteps)
    {
        float[][] expected = ByHand(normalization, labelSteps);
        byte[] saved = SavedPipeline(normalization, labelSteps);

        var fresh = new MLContext(2);
        ITransformer loaded = fresh.Model.Load(new MemoryStream(saved), out _);
        IDataView raw = fresh.Data.CreateSequenceWindows(Series(fresh), Windows(SequenceWindowNormalization.None, labelSteps));
        float[][] actual = Rows(loaded.Transform(raw), "Score");

        Assert.HasCount(expected.Length, actual);
        Assert.IsTrue(expected.All(r => r.Length == labelSteps && r.All(float.IsFinite)), "the by-hand forecasts are finite");
        Assert.AreEqual(Bits(expected), Bits(actual));
        // In the original units: near the prices (about 100), not near the normalised scale (about 0).
        Assert.IsTrue(actual.SelectMany(r => r).All(v => v > 50 && v < 200), "forecasts are in price units");
    }

    [TestMethod]
    public void PredictionEngineTakesARawWindowWithoutLabel()
    {
        float[][] expected = ByHand(SequenceWindowNormalization.RelativeToLast, 1);
        var fresh = new MLContext(3);
        ITransformer loaded = fresh.Model.Load(new MemoryStream(SavedPipeline(SequenceWindowNormalization.RelativeToLast, 1)), out _);
        float[][] rawWindows = fresh.Data.CreateSequenceWindows(Series(fresh), Windows(SequenceWindowNormalization.None)).GetColumn<float[]>("Features").ToArray();

        var engine = fresh.Model.CreatePredictionEngine<RawWindow, Forecast>(loaded);
        float[][] actual = rawWindows.Select(w => new[] { engine.Predict(new RawWindow { Features = w }).Score }).ToArray();

        Assert.AreEqual(Bits(expected), Bits(actual));
    }
}
