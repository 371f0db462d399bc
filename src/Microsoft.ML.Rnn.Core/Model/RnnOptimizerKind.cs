namespace Microsoft.ML.Rnn;

/// <summary>The optimizer that updates the parameters after each batch.</summary>
public enum RnnOptimizerKind
{
    /// <summary>Adam as <c>torch.optim.Adam</c>: weight decay is added to the gradient.</summary>
    Adam,

    /// <summary>AdamW as <c>torch.optim.AdamW</c>: weight decay is decoupled from the gradient.</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with optional momentum, as <c>torch.optim.SGD</c>.</summary>
    Sgd,
}
