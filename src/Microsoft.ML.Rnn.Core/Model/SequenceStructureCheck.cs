namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The rules that tie the decoder settings (<see cref="RnnNetworkShape.OutputLength"/>, <see cref="RnnNetworkShape.Context"/>,
/// <see cref="RnnNetworkShape.DecoderInput"/>, <see cref="RnnNetworkShape.OutputFeedback"/>) to the head and to each
/// other: a setting that the head would ignore, or a combination that cannot work as stated, is refused with the
/// combination that would.
/// </summary>
internal static class SequenceStructureCheck
{
    public static void Validate(RnnNetworkShape shape, OptionFailure fail)
    {
        RnnHead head = shape.Head;
        bool hasDecoder = head is RnnHead.OneToMany or RnnHead.EncoderDecoder;
        if (!hasDecoder)
        {
            if (shape.OutputLength != 1)
                throw fail(nameof(shape.OutputLength), $"is {shape.OutputLength} with Head {head}",
                    $"1: with {head} the outputs follow the input ({(head == RnnHead.ManyToOne ? "one per sequence" : "one per input step")}); " +
                    "Head = OneToMany or EncoderDecoder emits OutputLength steps");
            if (shape.DecoderInput != RnnDecoderInput.InitialState)
                throw fail(nameof(shape.DecoderInput), $"is {shape.DecoderInput} with Head {head}, which has no decoder",
                    "InitialState (the default), or Head = OneToMany or EncoderDecoder");
            if (shape.OutputFeedback != RnnOutputFeedback.None)
                throw fail(nameof(shape.OutputFeedback), $"is {shape.OutputFeedback} with Head {head}, which has no decoder",
                    "None (the default), or Head = OneToMany or EncoderDecoder");
        }

        if (head != RnnHead.EncoderDecoder && shape.Context != RnnContext.LastState)
            throw fail(nameof(shape.Context), $"is {shape.Context} with Head {head}, which has no encoder to form a context from",
                "LastState (the default), or Head = EncoderDecoder");

        if (head == RnnHead.OneToMany)
        {
            if (shape.DecoderInput == RnnDecoderInput.InitialStateAndEveryStep)
                throw fail(nameof(shape.DecoderInput), "is InitialStateAndEveryStep with Head OneToMany",
                    "InitialState (the input vector enters at the first step) or EveryStep (it enters at every step)");
            if (shape.Bidirectional)
                throw fail(nameof(shape.Bidirectional), "is true with Head OneToMany, whose decoder runs forwards in time only", "false");
            if (shape.Dropout != 0f)
                throw fail(nameof(shape.Dropout), $"is {shape.Dropout} with Head OneToMany, which has no encoder layers to drop between",
                    "0");
        }

        if (head == RnnHead.EncoderDecoder)
        {
            bool readsEncoderLayers = shape.DecoderInput != RnnDecoderInput.EveryStep && shape.Context != RnnContext.Projected;
            if (shape.Context == RnnContext.Attention && shape.DecoderInput == RnnDecoderInput.InitialState)
                throw fail(nameof(shape.DecoderInput), "is InitialState with Context Attention, whose context changes at every decoder step",
                    "EveryStep or InitialStateAndEveryStep, which read it at every step");
            if (readsEncoderLayers && shape.Bidirectional)
                throw fail(nameof(shape.Bidirectional),
                    $"is true with Context {shape.Context} and DecoderInput {shape.DecoderInput}: the decoder would start from the encoder's final " +
                    $"states, 2 × HiddenSize = {2 * shape.HiddenSize} wide, where its own are HiddenSize = {shape.HiddenSize}",
                    "Context = Projected (maps them to HiddenSize), DecoderInput = EveryStep, or Bidirectional = false");
        }
    }
}
