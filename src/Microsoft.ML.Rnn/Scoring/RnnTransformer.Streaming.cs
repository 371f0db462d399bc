namespace Microsoft.ML.Rnn;

public sealed partial class RnnTransformer
{
    /// <summary>
    /// A streaming engine for a live feed: it carries the network's state from tick to tick, so each new time step
    /// costs one step of the network, and its outputs are, bit for bit, what <c>Transform</c> gives at the last step
    /// of the whole series so far (see <see cref="RnnStreamingEngine"/>). Any number of engines may be made from one
    /// transformer; each serves one feed on one thread at a time.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The model cannot stream exactly: it is <see cref="RnnHead.ManyToOne"/> (one output per whole window),
    /// <see cref="RnnHead.OneToMany"/> or <see cref="RnnHead.EncoderDecoder"/> (decoder steps, not one output per input
    /// step), or bidirectional (each output reads later steps). The message says which and what would work.
    /// </exception>
    public RnnStreamingEngine CreateStreamingEngine() => new(_model);

    /// <summary>
    /// A typed streaming engine in the style of <c>PredictionEngine</c>: a <typeparamref name="TSrc"/> holding one step
    /// in, a <typeparamref name="TDst"/> with that step's <c>Score</c> (and <c>Probability</c>, <c>PredictedLabel</c>) out,
    /// with the guarantees of <see cref="CreateStreamingEngine()"/> (see <see cref="RnnStreamingEngine{TSrc, TDst}"/> for
    /// the members the two classes need).
    /// </summary>
    /// <param name="mlContext">The context, as <c>CreatePredictionEngine</c> takes it.</param>
    /// <exception cref="NotSupportedException">The model cannot stream (as <see cref="CreateStreamingEngine()"/>).</exception>
    /// <exception cref="ArgumentException">A class lacks the feature member or has a member of the wrong type; the message names it.</exception>
    public RnnStreamingEngine<TSrc, TDst> CreateStreamingEngine<TSrc, TDst>(MLContext mlContext)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new RnnStreamingEngine<TSrc, TDst>(new RnnStreamingEngine(_model), _model);
    }

    /// <summary>The multiclass <c>Score</c> of one step from its logits, in place, as the scoring columns compute it.</summary>
    internal static void StepSoftmax(Span<float> values) => RowScorer.Softmax(values);

    /// <summary>The multiclass <c>PredictedLabel</c> of one step from its probabilities, as the scoring columns compute it.</summary>
    internal static uint StepPredictedKey(ReadOnlySpan<float> probabilities) => RowScorer.ArgMaxKey(probabilities);
}
