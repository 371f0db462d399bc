namespace Microsoft.ML.Rnn.Core;

/// <summary>The four parameters of one layer in one direction.</summary>
internal readonly record struct RecurrentParameters(
    ParameterTensor InputWeight,
    ParameterTensor HiddenWeight,
    ParameterTensor InputBias,
    ParameterTensor HiddenBias);
