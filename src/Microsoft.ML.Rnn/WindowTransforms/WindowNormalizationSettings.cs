namespace Microsoft.ML.Rnn;

/// <summary>
/// What <see cref="SequenceWindowNormalizingTransformer"/> does, as its catalog method takes it and its model file stores it.
/// </summary>
/// <param name="Normalization">Relative to the window's first or last step (never <see cref="SequenceWindowNormalization.None"/>).</param>
/// <param name="FeaturesPerStep">Values per step in the time-major window vector.</param>
/// <param name="ReferenceFeature">Which feature of a step is the forecast target, whose reference value is written out.</param>
/// <param name="InputColumnName">The raw window column.</param>
/// <param name="OutputColumnName">The normalised window column.</param>
/// <param name="ReferenceColumnName">The column receiving the target's reference value.</param>
/// <param name="LabelColumnName">A label normalised in place when the input has it (training), or empty for none.</param>
internal sealed record WindowNormalizationSettings(
    SequenceWindowNormalization Normalization,
    int FeaturesPerStep,
    int ReferenceFeature,
    string InputColumnName,
    string OutputColumnName,
    string ReferenceColumnName,
    string LabelColumnName)
{
    /// <summary>Whether a label column is named.</summary>
    public bool HasLabel => LabelColumnName.Length > 0;

    /// <summary>What is wrong with the settings, or null when they are valid.</summary>
    public string? Problem()
    {
        if (Normalization is not (SequenceWindowNormalization.RelativeToFirst or SequenceWindowNormalization.RelativeToLast))
            return $"the normalisation is {Normalization}; expected {SequenceWindowNormalization.RelativeToFirst} or {SequenceWindowNormalization.RelativeToLast}";
        if (FeaturesPerStep < 1 || FeaturesPerStep > RnnLimits.MaxInputSize)
            return $"the features per step are {FeaturesPerStep}; expected 1 .. {RnnLimits.MaxInputSize}";
        if (ReferenceFeature < 0 || ReferenceFeature >= FeaturesPerStep)
            return $"the reference feature is {ReferenceFeature}; expected 0 .. {FeaturesPerStep - 1} for {FeaturesPerStep} features per step";
        if (string.IsNullOrEmpty(InputColumnName) || string.IsNullOrEmpty(OutputColumnName) || string.IsNullOrEmpty(ReferenceColumnName))
            return "the input, output and reference column names must not be empty";
        string[] outputs = HasLabel ? [OutputColumnName, ReferenceColumnName, LabelColumnName] : [OutputColumnName, ReferenceColumnName];
        string? duplicate = outputs.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        return duplicate is null ? null : $"the output column '{duplicate}' is named twice (window, reference and label columns must differ)";
    }
}
