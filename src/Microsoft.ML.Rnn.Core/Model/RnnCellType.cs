namespace Microsoft.ML.Rnn;

/// <summary>The recurrent cell a network is built from.</summary>
public enum RnnCellType
{
    /// <summary>Elman RNN: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c> (PyTorch <c>nn.RNN</c>).</summary>
    Rnn,

    /// <summary>Long short-term memory with gates i, f, g, o (PyTorch <c>nn.LSTM</c>).</summary>
    Lstm,

    /// <summary>Gated recurrent unit with gates r, z, n (PyTorch <c>nn.GRU</c>).</summary>
    Gru,
}
