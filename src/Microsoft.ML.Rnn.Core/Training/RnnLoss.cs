namespace Microsoft.ML.Rnn.Core;

/// <summary>The training loss; every reduction is a mean, as PyTorch's defaults.</summary>
public enum RnnLoss
{
    /// <summary>Mean squared error over every real (step, output) element (<c>nn.MSELoss</c>).</summary>
    MeanSquaredError,

    /// <summary>Binary cross-entropy on logits over every real (step, output) element (<c>nn.BCEWithLogitsLoss</c>).</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary>Softmax cross-entropy over rows: sequences for N vs 1, real steps for N vs N (<c>nn.CrossEntropyLoss</c>).</summary>
    SoftmaxCrossEntropy,
}
