namespace Microsoft.ML.Rnn.Core;

/// <summary>1 vs N and N vs M: a decoder that emits <see cref="RnnNetworkShape.OutputLength"/> steps (being built).</summary>
internal sealed class DecoderHead : OutputHead
{
    public DecoderHead(RnnNetworkShape shape)
        : base(shape)
    {
        throw new NotImplementedException("The decoder heads are being built.");
    }

    public override HeadStructure Structure => throw new NotImplementedException();

    public override IReadOnlyList<ParameterTensor> Parameters => throw new NotImplementedException();

    public override bool ReadsSteps => throw new NotImplementedException();

    public override void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, Span<float> output, int threads, CancellationToken cancellation) =>
        throw new NotImplementedException();

    public override void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, Span<float> dSteps, Span<float> dFinalState, int threads, CancellationToken cancellation) =>
        throw new NotImplementedException();
}
