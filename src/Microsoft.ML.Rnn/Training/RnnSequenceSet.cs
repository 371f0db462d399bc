using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Training or validation rows held in memory, ready for batching: each row's time-major features and its
/// targets (regression values, 0/1 for binary, class indices for multiclass), plus the counts of rows skipped.
/// </summary>
internal sealed class RnnSequenceSet
{
    private readonly RnnRowStore _features;
    private readonly RnnRowStore _targets;

    /// <summary>Creates a set from rows read: row i of <paramref name="features"/> goes with row i of <paramref name="targets"/>.</summary>
    public RnnSequenceSet(int inputSize, int targetsPerStep, HeadStructure head, RnnRowStore features, RnnRowStore targets, RnnSkipCounts skipped)
    {
        InputSize = inputSize;
        TargetsPerStep = targetsPerStep;
        Head = head;
        _features = features;
        _targets = targets;
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

    /// <summary>Rows read but not kept, by reason.</summary>
    public RnnSkipCounts Skipped { get; }

    /// <summary>Rows kept.</summary>
    public int Count => _features.Count;

    /// <summary>Longest sequence, in steps.</summary>
    public int MaxSteps { get; }

    /// <summary>Steps of row <paramref name="row"/>.</summary>
    public int Steps(int row) => _features.Length(row) / InputSize;

    /// <summary>Features of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowFeatures(int row) => _features[row];

    /// <summary>Targets of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowTargets(int row) => _targets[row];
}
