using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn;

/// <summary>
/// A regression label's mean and standard deviation per output (per target position within an output step; for N vs N
/// every step shares them). Training fits the network to <c>(label − mean) / std</c> and scoring maps its outputs back
/// with <c>output × std + mean</c>, so <c>Score</c> is in the label's units whatever their scale. Scoring state: the
/// model file keeps it.
/// </summary>
internal sealed class RnnLabelStandardization
{
    /// <summary>Creates the standardisation from stored statistics: one mean and one positive, finite standard deviation per output.</summary>
    public RnnLabelStandardization(float[] mean, float[] standardDeviation)
    {
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <summary>The label's mean per output.</summary>
    public float[] Mean { get; }

    /// <summary>The label's population standard deviation per output; 1 where the label is constant (0 would divide by zero).</summary>
    public float[] StandardDeviation { get; }

    /// <summary>Outputs per step.</summary>
    public int Outputs => Mean.Length;

    /// <summary>
    /// What turns a loss on the standardised label into the label's units: σ² with one output per step (the mean squared
    /// error scales by it exactly), or null with several, where each output's error scales by its own σ² and the loss,
    /// a mean over outputs, has no single factor.
    /// </summary>
    public double? LossToLabelUnits => Outputs == 1 ? (double)StandardDeviation[0] * StandardDeviation[0] : null;

    /// <summary>
    /// What turns a mean negative log-likelihood on the standardised label into the label's units: the density of
    /// <c>y = mean + std·z</c> is the density of z divided by std, so every element's NLL grows by log std, and the mean
    /// over outputs by the mean of their log std. Exact for any number of outputs.
    /// </summary>
    public double NegativeLogLikelihoodShift
    {
        get
        {
            double sum = 0;
            foreach (float deviation in StandardDeviation)
                sum += Math.Log(deviation);
            return sum / Outputs;
        }
    }

    /// <summary>The statistics of <paramref name="set"/>'s targets, over every row (and every step, for N vs N).</summary>
    public static RnnLabelStandardization Fit(RnnSequenceSet set)
    {
        int outputs = set.TargetsPerStep;
        RnnColumnMoments moments = RnnColumnMoments.Of(set.Count, outputs, set.RowTargets);

        var mean = new float[outputs];
        var deviation = new float[outputs];
        for (int j = 0; j < outputs; j++)
        {
            mean[j] = (float)moments.Mean[j];
            float std = (float)moments.StandardDeviation[j];
            // A constant label (or one row) has no spread to divide by: 1 leaves it merely centred.
            deviation[j] = float.IsNormal(std) ? std : 1f;
        }

        return new RnnLabelStandardization(mean, deviation);
    }

    /// <summary>Writes <paramref name="targets"/> standardised into <paramref name="destination"/> (values time-major, outputs innermost).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Standardize(ReadOnlySpan<float> targets, Span<float> destination)
    {
        int outputs = Outputs;
        for (int i = 0; i < targets.Length; i++)
            destination[i] = (targets[i] - Mean[i % outputs]) / StandardDeviation[i % outputs];
    }

    /// <summary>Maps network outputs (time-major, outputs innermost) back to the label's units, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Restore(Span<float> outputs)
    {
        int count = Outputs;
        for (int i = 0; i < outputs.Length; i++)
            outputs[i] = outputs[i] * StandardDeviation[i % count] + Mean[i % count];
    }
}
