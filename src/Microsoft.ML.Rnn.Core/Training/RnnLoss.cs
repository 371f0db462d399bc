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

    /// <summary>
    /// Mean negative log-likelihood of a Normal distribution over every real (step, output) element
    /// (<c>-torch.distributions.Normal(mu, softplus(raw) + 1e-6).log_prob(target).mean()</c>); the network's shape must have
    /// <see cref="RnnDistribution.Normal"/>.
    /// </summary>
    NormalNegativeLogLikelihood,

    /// <summary>
    /// Mean negative log-likelihood of a Student-t distribution over every real (step, output) element
    /// (<c>-torch.distributions.StudentT(2 + softplus(raw_nu), mu, softplus(raw_s) + 1e-6).log_prob(target).mean()</c>); the
    /// network's shape must have <see cref="RnnDistribution.StudentT"/>.
    /// </summary>
    StudentTNegativeLogLikelihood,
}
