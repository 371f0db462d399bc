using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>N vs 1: a linear layer (<c>head</c>) on each sequence's final state; output <c>[batch, outputs]</c>.</summary>
internal sealed class ManyToOneHead : OutputHead
{
    private readonly LinearProjection _linear;

    public ManyToOneHead(RnnNetworkShape shape)
        : base(shape)
    {
        _linear = new LinearProjection("head", shape.TopWidth, shape.OutputWidth, offset: 0);
        Parameters = [_linear.Weight, _linear.Bias];
    }

    public static HeadStructure OutputStructure => HeadStructure.OnePerSequence;

    public override HeadStructure Structure => OutputStructure;

    public override IReadOnlyList<ParameterTensor> Parameters { get; }

    public override StackReads Reads => StackReads.FinalState;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> targets, Span<float> output, int threads,
        CancellationToken cancellation, bool rowInvariant) =>
        _linear.Forward(parameters, stack.FinalState, stack.Batch, output, threads, cancellation, sequenceRows: rowInvariant ? 1 : 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, in StackGradient stackGradient, int threads, CancellationToken cancellation) =>
        _linear.Backward(parameters, stack.FinalState, dOutput, stack.Batch, gradients, stackGradient.FinalState, threads, cancellation);
}
