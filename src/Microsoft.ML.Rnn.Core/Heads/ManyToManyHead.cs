using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// N vs N: a linear layer (<c>head</c>) on every step's top-layer output; output <c>[batch, steps, outputs]</c>. Past
/// a sequence's end the stack output is zero, so the head gives its bias there (as PyTorch on padded output); those
/// values carry no gradient.
/// </summary>
internal sealed class ManyToManyHead : OutputHead
{
    private readonly LinearProjection _linear;
    private float[] _timeMajor = [];

    public ManyToManyHead(RnnNetworkShape shape)
        : base(shape)
    {
        _linear = new LinearProjection("head", shape.TopWidth, shape.OutputWidth, offset: 0);
        Parameters = [_linear.Weight, _linear.Bias];
    }

    public static HeadStructure OutputStructure => HeadStructure.OnePerInputStep;

    public override HeadStructure Structure => OutputStructure;

    public override IReadOnlyList<ParameterTensor> Parameters { get; }

    public override StackReads Reads => StackReads.Steps;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> targets, Span<float> output, int threads,
        CancellationToken cancellation, bool rowInvariant)
    {
        int rows = stack.StepCount * stack.Batch;
        Span<float> timeMajor = Buffers.Ensure(ref _timeMajor, rows * Shape.OutputWidth);
        _linear.Forward(parameters, stack.Steps, rows, timeMajor, threads, cancellation, rowInvariant ? GemmDispatcher.VaryingRows : 0);
        Layout.TimeMajorToBatchFirst(timeMajor, stack.Batch, stack.StepCount, Shape.OutputWidth, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, in StackGradient stackGradient, int threads, CancellationToken cancellation)
    {
        int batch = stack.Batch, steps = stack.StepCount, outputs = Shape.OutputWidth;
        Span<float> dTimeMajor = Buffers.Ensure(ref _timeMajor, steps * batch * outputs);
        Layout.BatchFirstToTimeMajor(dOutput, batch, steps, outputs, dTimeMajor);
        for (int t = 0; t < steps; t++)
            for (int row = 0; row < batch; row++)
                if (t >= stack.Lengths[row])
                    dTimeMajor.Slice((t * batch + row) * outputs, outputs).Clear();
        _linear.Backward(parameters, stack.Steps, dTimeMajor, steps * batch, gradients, stackGradient.Steps, threads, cancellation);
    }
}
