namespace Microsoft.ML.Rnn;

/// <summary>How an <see cref="RnnHead.EncoderDecoder"/> forms the context <c>c</c> the decoder reads (the tutorial's three ways).</summary>
public enum RnnContext
{
    /// <summary>
    /// <c>c = h_T</c>, the encoder's final state. As the decoder's initial state, layer k starts from the encoder's
    /// layer k (and, for LSTM, its cell state); as an input at every step, the top layer's final state
    /// (bidirectional: forward ‖ backward).
    /// </summary>
    LastState,

    /// <summary>
    /// <c>c = tanh(W h_T + b)</c> (<c>context.weight</c>, <c>context.bias</c>) from the top layer's final state, one
    /// hidden size wide: as the initial state, every decoder layer starts from it (LSTM cell state zero).
    /// </summary>
    Projected,

    /// <summary>
    /// <c>c_t</c> recomputed at every decoder step from all encoder outputs <c>h_s</c>: Luong's "general" score
    /// <c>s_{t−1}ᵀ W_a h_s</c> (<c>attention.weight</c>) with the decoder's previous top-layer state, softmax over
    /// the sequence's real steps, <c>c_t = Σ α_s h_s</c>. It enters at every step.
    /// </summary>
    Attention,
}
