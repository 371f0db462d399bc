namespace Microsoft.ML.Rnn;

/// <summary>How the decoder reads the context (N vs M) or the row's input vector (1 vs N): the tutorial's two ways.</summary>
public enum RnnDecoderInput
{
    /// <summary>
    /// N vs M: the context is the decoder's initial state. 1 vs N: the input vector enters at the first step only
    /// (zeros after it), the tutorial's left figure.
    /// </summary>
    InitialState,

    /// <summary>
    /// The context (N vs M) or the input vector (1 vs N) is an input at every decoder step, as Keras'
    /// <c>RepeatVector</c>; the tutorial's right figure. The decoder starts from zeros.
    /// </summary>
    EveryStep,

    /// <summary>
    /// N vs M only: both. With <see cref="RnnContext.Attention"/>, the initial state is the encoder's final state
    /// (as <see cref="RnnContext.LastState"/>) and the attention context enters at every step.
    /// </summary>
    InitialStateAndEveryStep,
}
