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
    private readonly float[]? _weights;

    /// <summary>Creates a set from rows read: row i of <paramref name="features"/> goes with row i of <paramref name="targets"/>
    /// and, when there are example weights, with <paramref name="weights"/>[i].</summary>
    public RnnSequenceSet(int inputSize, int targetsPerStep, HeadStructure head, RnnRowStore features, RnnRowStore targets, float[]? weights,
        RnnSkipCounts skipped)
    {
        _weights = weights;
        InputSize = inputSize;
        TargetsPerStep = targetsPerStep;
        Head = head;
        _features = features;
        _targets = targets;
        Skipped = skipped;
        for (int i = 0; i < Count; i++)
            MaxSteps = Math.Max(MaxSteps, Steps(i));
        TotalWeight = weights?.Sum(w => (double)w) ?? Count;
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

    /// <summary>Whether the rows carry example weights.</summary>
    public bool IsWeighted => _weights is not null;

    /// <summary>The sum of the rows' example weights (the row count without weights).</summary>
    public double TotalWeight { get; }

    /// <summary>Example weight of row <paramref name="row"/> (1 without weights).</summary>
    public float Weight(int row) => _weights?[row] ?? 1f;

    /// <summary>Targets of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowTargets(int row) => _targets[row];
}
