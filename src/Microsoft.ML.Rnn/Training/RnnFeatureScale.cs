using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Warns about features far from unit scale. A recurrent cell squashes its inputs through tanh and sigmoid, so prices
/// in the thousands or volumes in the millions saturate it from the first step and training goes nowhere without a
/// word; values around 1e-4 barely move it. The trainer standardises the label, but features are the user's to scale.
/// </summary>
internal static class RnnFeatureScale
{
    /// <summary>A mean absolute value or standard deviation above this is far too large.</summary>
    public const double Largest = 100;

    /// <summary>Both the mean absolute value and the standard deviation below this are far too small (an all-zero feature is left alone: it carries nothing to scale).</summary>
    public const double Smallest = 0.01;

    /// <summary>Logs a warning for each feature (per step position) of <paramref name="set"/> whose training values are far from unit scale.</summary>
    public static void WarnIfFarFromUnit(IChannel channel, RnnSequenceSet set, IReadOnlyList<string> featureColumns, bool isSeries)
    {
        int inputSize = set.InputSize;
        RnnColumnMoments moments = RnnColumnMoments.Of(set.Count, inputSize, set.RowFeatures);
        for (int f = 0; f < inputSize; f++)
        {
            double meanAbsolute = moments.MeanAbsolute[f];
            double deviation = moments.StandardDeviation[f];
            bool large = meanAbsolute > Largest || deviation > Largest;
            bool small = meanAbsolute < Smallest && deviation < Smallest && meanAbsolute > 0;
            if (!large && !small)
                continue;
            string feature = isSeries ? $"Series column '{featureColumns[f]}'"
                : inputSize == 1 ? $"Feature column '{featureColumns[0]}'"
                : $"Feature {f} (0-based, of {inputSize} per step) of column '{featureColumns[0]}'";
            channel.Warning(
                "{0} has a mean absolute value of {1:G4} and a standard deviation of {2:G4} over the training rows, far from unit scale " +
                "(between {3} and {4}); the network trains poorly on it. Scale it first: CreateSequenceWindows with Normalization " +
                "RelativeToLast or RelativeToFirst, or mlContext.Transforms.NormalizeMeanVariance on the series before windowing.",
                feature, meanAbsolute, deviation, Smallest, Largest);
        }
    }
}
