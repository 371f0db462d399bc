namespace Microsoft.ML.Rnn.Core;

/// <summary>N vs 1: the linear head on each sequence's final state; output <c>[batch, outputs]</c>.</summary>
internal sealed class ManyToOneHead(RnnNetworkShape shape, ParameterLayout layout) : OutputHead(shape, layout)
{
    public override bool ReadsSteps => false;

    public override int OutputLength(int batch, int steps) => batch * Shape.OutputSize;

    public override void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, Span<float> output, int threads) =>
        Affine(parameters, stack.FinalState, stack.Batch, output, threads);

    public override void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, Span<float> dSteps, Span<float> dFinalState, int threads) =>
        AffineBackward(parameters, stack.FinalState, dOutput, stack.Batch, gradients, dFinalState, threads);
}
