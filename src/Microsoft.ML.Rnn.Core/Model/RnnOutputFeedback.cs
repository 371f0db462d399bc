namespace Microsoft.ML.Rnn;

/// <summary>
/// What a decoder (<see cref="RnnHead.OneToMany"/>, <see cref="RnnHead.EncoderDecoder"/>) feeds back: its input at
/// step t also holds <c>OutputSize</c> values from step t − 1 (zeros at t = 0). While training with targets, the true
/// previous target in this form (teacher forcing); when scoring, the decoder's own previous output.
/// </summary>
public enum RnnOutputFeedback
{
    /// <summary>Nothing is fed back.</summary>
    None,

    /// <summary>The previous output values (regression).</summary>
    Value,

    /// <summary>1 where the previous output (a logit) is above 0, else 0: the binary decision.</summary>
    Decision,

    /// <summary>The one-hot vector of the previous output's arg-max class (softmax classification).</summary>
    Class,
}
