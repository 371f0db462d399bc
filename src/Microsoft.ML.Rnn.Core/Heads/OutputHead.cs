namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The part of a network above the recurrent stack that turns its outputs into the model's outputs.
/// Outputs and their gradients are batch-first, as the caller sees them. A decoder (N vs M) or a one-to-many head
/// joins as another subclass.
/// </summary>
internal abstract class OutputHead
{
    protected OutputHead(RnnNetworkShape shape, ParameterLayout layout)
    {
        Shape = shape;
        Weight = layout.HeadWeight;
        Bias = layout.HeadBias;
    }

    protected RnnNetworkShape Shape { get; }

    protected ParameterTensor Weight { get; }

    protected ParameterTensor Bias { get; }

    /// <summary>Whether the head reads the per-step outputs (else only the final states).</summary>
    public abstract bool ReadsSteps { get; }

    public static OutputHead Create(RnnNetworkShape shape, ParameterLayout layout) => shape.Head switch
    {
        RnnHead.ManyToMany => new ManyToManyHead(shape, layout),
        _ => new ManyToOneHead(shape, layout),
    };

    /// <summary>Output values for a batch of <paramref name="batch"/> sequences padded to <paramref name="steps"/> steps.</summary>
    public abstract int OutputLength(int batch, int steps);

    public abstract void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, Span<float> output, int threads);

    /// <summary>
    /// Writes the head's parameter gradients into <paramref name="gradients"/> and d loss / d (stack output) into
    /// <paramref name="dSteps"/> (when <see cref="ReadsSteps"/>) or <paramref name="dFinalState"/> (otherwise).
    /// </summary>
    public abstract void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, Span<float> dSteps, Span<float> dFinalState, int threads);

    /// <summary>rows × Wᵀ + b for a block of rows, [rows, width] → [rows, outputs].</summary>
    protected void Affine(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int rows, Span<float> output, int threads)
    {
        int width = Shape.TopWidth, outputs = Shape.OutputSize;
        Gemm.MultiplyTransposedB(rows, outputs, width, input, width, Weight.In(parameters), width, output, outputs, accumulate: false, threads);
        RowVectors.AddToEveryRow(output[..(rows * outputs)], Bias.In(parameters));
    }

    /// <summary>Gradients of <see cref="Affine"/>: dW = dYᵀ·X, db = Σ dY, dX = dY·W.</summary>
    protected void AffineBackward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> dOutput, int rows,
        Span<float> gradients, Span<float> dInput, int threads)
    {
        int width = Shape.TopWidth, outputs = Shape.OutputSize;
        Gemm.MultiplyTransposedA(outputs, width, rows, dOutput, outputs, input, width, Weight.In(gradients), width, accumulate: false, threads);
        RowVectors.SumRows(dOutput[..(rows * outputs)], Bias.In(gradients));
        Gemm.Multiply(rows, width, outputs, dOutput, outputs, Weight.In(parameters), width, dInput, width, accumulate: false, threads);
    }
}
