namespace Microsoft.ML.Rnn;

/// <summary>What an <see cref="RnnTrainer"/> learns to predict, which fixes its loss, label type and output columns.</summary>
public enum RnnTask
{
    /// <summary>
    /// Real values: a <see cref="float"/> label (or a vector of them), mean squared error, output column <c>Score</c>.
    /// </summary>
    Regression,

    /// <summary>
    /// Two classes: a <see cref="bool"/> label (a vector of them for N vs N), binary cross-entropy on the logit,
    /// output columns <c>Score</c> (the logit), <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c>.
    /// </summary>
    BinaryClassification,

    /// <summary>
    /// Several classes: a key-typed label (a vector of keys for N vs N), softmax cross-entropy, output columns
    /// <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (a key with the label's key values).
    /// </summary>
    MulticlassClassification,
}
