namespace Microsoft.ML.Rnn;

/// <summary>
/// What a regression network predicts for each output: a point (today's mean squared error), or the parameters of a
/// distribution trained by its negative log-likelihood, as DeepAR and GluonTS do. With a distribution the head's final
/// linear layer emits, per output, the mean and then the distribution's raw parameters (see
/// <see cref="Core.RnnNetworkShape.Distribution"/> for the layout).
/// </summary>
public enum RnnDistribution
{
    /// <summary>A point forecast: one value per output, trained by mean squared error.</summary>
    None,

    /// <summary>
    /// A Normal distribution per output: mean μ and standard deviation σ = softplus(raw) + 1e-6, trained by the mean
    /// negative log-likelihood (<c>torch.distributions.Normal(mu, sigma).log_prob</c>).
    /// </summary>
    Normal,

    /// <summary>
    /// A Student-t distribution per output (heavy tails, for returns): location μ, scale s = softplus(raw) + 1e-6 and
    /// degrees of freedom ν = 2 + softplus(raw) (so the variance s²·ν/(ν − 2) always exists), trained by the mean
    /// negative log-likelihood (<c>torch.distributions.StudentT(nu, mu, s).log_prob</c>).
    /// </summary>
    StudentT,
}
