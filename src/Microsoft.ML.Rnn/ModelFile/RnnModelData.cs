using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>Everything a trained <see cref="RnnTransformer"/> holds and its model file stores.</summary>
internal sealed class RnnModelData
{
    private readonly RnnNetwork _network = null!;

    /// <summary>What the model was trained with (column names, task, head, network and loop settings). The
    /// validation set, initial parameters and callback are never kept; <see cref="RnnTrainer.Options.Seed"/> is the
    /// seed actually used.</summary>
    public required RnnTrainer.Options Options { get; init; }

    /// <summary>The feature column, or the series columns in order.</summary>
    public required string[] FeatureColumns { get; init; }

    /// <summary>True when <see cref="FeatureColumns"/> are series columns (one feature per step each).</summary>
    public required bool IsSeries { get; init; }

    /// <summary>Regression N vs 1 with a <see cref="float"/> label: <c>Score</c> is a scalar.</summary>
    public required bool ScalarScore { get; init; }

    /// <summary>The label's key values (multiclass), or null.</summary>
    public RnnKeyValues? KeyValues { get; init; }

    /// <summary>The regression label's statistics when training standardised it (scores are mapped back with them), or null.</summary>
    public RnnLabelStandardization? LabelStandardization { get; init; }

    /// <summary>The trained network, read-only from here on: scoring threads may share it.</summary>
    public required RnnNetwork Network
    {
        get => _network;
        init => _network = value.AsReadOnly();
    }

    /// <summary>The split-conformal factor that multiplies a distribution model's predicted scale, or null when the intervals
    /// were not calibrated (no distribution, no validation set, or <see cref="RnnTrainer.Options.CalibrateIntervals"/> off).</summary>
    public float? IntervalCalibrationFactor { get; init; }

    /// <summary>What scoring writes beside <c>Score</c> for a distribution model (null for a point model).</summary>
    public RnnPredictiveDistribution? PredictiveDistribution => Network.Shape.Distribution == RnnDistribution.None ? null
        : new RnnPredictiveDistribution(Network.Shape.Distribution, Options.ConfidenceLevel, IntervalCalibrationFactor ?? 1f, LabelStandardization);

    /// <summary>Per-epoch losses and times.</summary>
    public required IReadOnlyList<RnnEpochReport> History { get; init; }

    /// <summary>Features per step.</summary>
    public int InputSize => Network.Shape.InputSize;

    /// <summary>Outputs per step (per sequence for N vs 1).</summary>
    public int OutputSize => Network.Shape.OutputSize;
}
