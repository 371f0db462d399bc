namespace Microsoft.ML.Rnn;

/// <summary>
/// Upper bounds on sizes, checked when training starts and when a model file is read, so a corrupt or hostile
/// file cannot make the reader allocate absurd amounts of memory. They are far above any model this package trains.
/// </summary>
internal static class RnnLimits
{
    /// <summary>Most features per step.</summary>
    public const int MaxInputSize = 1 << 20;

    /// <summary>Most hidden units per layer and direction.</summary>
    public const int MaxHiddenSize = 1 << 16;

    /// <summary>Most stacked layers.</summary>
    public const int MaxLayers = 256;

    /// <summary>Most outputs per step (regression outputs or classes).</summary>
    public const int MaxOutputSize = 1 << 24;

    /// <summary>Most characters in a column name or key value.</summary>
    public const int MaxStringBytes = 1 << 20;

    /// <summary>Most named parameter tensors.</summary>
    public const int MaxParameterTensors = 4096;

    /// <summary>Most dimensions of one parameter tensor.</summary>
    public const int MaxTensorRank = 4;

    /// <summary>Most series columns.</summary>
    public const int MaxSeriesColumns = MaxInputSize;
}
