using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Training or validation rows held in memory, ready for batching: each row's time-major features and its
/// targets (regression values, 0/1 for binary, class indices for multiclass), plus the counts of rows skipped.
/// </summary>
internal sealed class RnnSequenceSet
{
    /// <summary>Creates a set from flattened rows.</summary>
    public RnnSequenceSet(int inputSize, int targetsPerStep, HeadStructure head, float[] features, int[] featureOffsets,
        float[] targets, int[] targetOffsets, RnnSkipCounts skipped)
    {
        InputSize = inputSize;
        TargetsPerStep = targetsPerStep;
        Head = head;
        Features = features;
        FeatureOffsets = featureOffsets;
        Targets = targets;
        TargetOffsets = targetOffsets;
        Skipped = skipped;
        for (int i = 0; i < Count; i++)
            MaxSteps = Math.Max(MaxSteps, Steps(i));
    }

    /// <summary>Features per step.</summary>
    public int InputSize { get; }

    /// <summary>Target values per output step of the head (one output step per row for N vs 1): outputs for
    /// regression, 1 for binary and multiclass (a class index).</summary>
    public int TargetsPerStep { get; }

    /// <summary>How the head's output steps, and so each row's targets, line up with its steps.</summary>
    public HeadStructure Head { get; }

    /// <summary>All rows' features, back to back.</summary>
    public float[] Features { get; }

    /// <summary>Row i's features are <c>Features[FeatureOffsets[i] .. FeatureOffsets[i + 1]]</c>.</summary>
    public int[] FeatureOffsets { get; }

    /// <summary>All rows' targets, back to back.</summary>
    public float[] Targets { get; }

    /// <summary>Row i's targets are <c>Targets[TargetOffsets[i] .. TargetOffsets[i + 1]]</c>.</summary>
    public int[] TargetOffsets { get; }

    /// <summary>Rows read but not kept, by reason.</summary>
    public RnnSkipCounts Skipped { get; }

    /// <summary>Rows kept.</summary>
    public int Count => FeatureOffsets.Length - 1;

    /// <summary>Longest sequence, in steps.</summary>
    public int MaxSteps { get; }

    /// <summary>Steps of row <paramref name="row"/>.</summary>
    public int Steps(int row) => (FeatureOffsets[row + 1] - FeatureOffsets[row]) / InputSize;

    /// <summary>Features of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowFeatures(int row) => Features.AsSpan(FeatureOffsets[row], FeatureOffsets[row + 1] - FeatureOffsets[row]);

    /// <summary>Targets of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowTargets(int row) => Targets.AsSpan(TargetOffsets[row], TargetOffsets[row + 1] - TargetOffsets[row]);
}
