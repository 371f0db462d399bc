namespace Microsoft.ML.Rnn;

/// <summary>The activation of an Elman <see cref="RnnCellType.Rnn"/> cell (ignored by LSTM and GRU).</summary>
public enum RnnNonlinearity
{
    /// <summary>Hyperbolic tangent, PyTorch's default.</summary>
    Tanh,

    /// <summary>Rectified linear unit.</summary>
    Relu,
}
