using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Split-conformal calibration of a distribution model's intervals on held-out rows (the validation set): each real
/// target's score is |y − μ| over the uncalibrated interval's half-width, and the factor is the ⌈(n + 1)·c⌉-th smallest
/// of the n scores (the largest when that rank passes n), so that multiplying the predicted scale by it makes the
/// level-c intervals cover at least a share c of those rows (exactly ⌈(n + 1)·c⌉ of them, barring ties) and, for
/// exchangeable new rows, c in expectation (Vovk et al.; Lei et al. 2018, "normalised" scores).
/// </summary>
internal static class RnnIntervalCalibration
{
    /// <summary>The factor for <paramref name="network"/> on <paramref name="set"/>, and the targets it was computed on
    /// (<paramref name="count"/>); 1 when no target has a usable score.</summary>
    public static float Factor(RnnNetwork network, RnnSequenceSet set, RnnLabelStandardization? labels, float confidenceLevel, out int count)
    {
        RnnNetworkShape shape = network.Shape;
        var uncalibrated = new RnnPredictiveDistribution(shape.Distribution, confidenceLevel, calibrationFactor: 1f, labels);
        int outputs = shape.OutputSize, width = shape.OutputWidth;
        var scores = new List<double>();
        float[] raw = [];
        for (int row = 0; row < set.Count; row++)
        {
            int steps = set.Steps(row);
            int length = network.OutputLength(steps);
            if (raw.Length < length)
                raw = new float[length];
            network.Predict(set.RowFeatures(row), raw.AsSpan(0, length));
            ReadOnlySpan<float> targets = set.RowTargets(row);
            int realSteps = shape.HeadStructure.RealOutputSteps(steps);
            for (int g = 0; g < realSteps; g++)
                for (int j = 0; j < outputs; j++)
                {
                    double score = uncalibrated.ConformalScore(raw.AsSpan(g * width, width), outputs, j, targets[g * outputs + j]);
                    if (!double.IsNaN(score))
                        scores.Add(score);
                }
        }

        count = scores.Count;
        if (count == 0)
            return 1f;
        scores.Sort();
        int rank = (int)Math.Ceiling((count + 1) * (double)confidenceLevel);
        double factor = scores[Math.Clamp(rank, 1, count) - 1];
        // A factor of 0 (every target on its mean) would collapse the intervals; keep the model's own width then.
        return factor > 0 && double.IsFinite(factor) ? (float)factor : 1f;
    }
}
