using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// An <c>nn.Linear</c> inside a head: <c>y = x Wᵀ + b</c> over rows, with its two parameters named as PyTorch's
/// <c>state_dict</c> does (<c>prefix.weight</c> <c>[outputs, inputs]</c>, <c>prefix.bias</c> <c>[outputs]</c>).
/// Offsets are relative to the head's own parameters.
/// </summary>
internal sealed class LinearProjection
{
    private readonly int _inputs;
    private readonly int _outputs;

    /// <summary>A projection from <paramref name="inputs"/> to <paramref name="outputs"/> values whose parameters start at <paramref name="offset"/>.</summary>
    public LinearProjection(string prefix, int inputs, int outputs, long offset)
    {
        _inputs = inputs;
        _outputs = outputs;
        Weight = new ParameterTensor(prefix + ".weight", offset, outputs, inputs) { FanIn = inputs };
        Bias = new ParameterTensor(prefix + ".bias", offset + Weight.Length, outputs, 1) { IsVector = true, FanIn = inputs };
    }

    /// <summary>The weight, <c>[outputs, inputs]</c>.</summary>
    public ParameterTensor Weight { get; }

    /// <summary>The bias, <c>[outputs]</c>.</summary>
    public ParameterTensor Bias { get; }

    /// <summary>
    /// <c>[rows, inputs] → [rows, outputs]</c>; <paramref name="cancellation"/> is checked inside the product;
    /// <paramref name="sequenceRows"/> as <see cref="GemmProblem.SequenceRows"/> (0 for a pass that may train).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int rows, Span<float> output, int threads,
        CancellationToken cancellation, int sequenceRows)
    {
        Gemm.MultiplyTransposedB(rows, _outputs, _inputs, input, _inputs, Weight.In(parameters), _inputs, output, _outputs, accumulate: false, threads,
            cancellation, sequenceRows);
        RowVectors.AddToEveryRow(output[..(rows * _outputs)], Bias.In(parameters));
    }

    /// <summary>
    /// Gradients: dW = dYᵀ·X and db = Σ dY into <paramref name="gradients"/> (overwriting), dX = dY·W into
    /// <paramref name="dInput"/>; <paramref name="cancellation"/> is checked inside the products.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> dOutput, int rows,
        Span<float> gradients, Span<float> dInput, int threads, CancellationToken cancellation)
    {
        Gemm.MultiplyTransposedA(_outputs, _inputs, rows, dOutput, _outputs, input, _inputs, Weight.In(gradients), _inputs, accumulate: false, threads,
            cancellation);
        RowVectors.SumRows(dOutput[..(rows * _outputs)], Bias.In(gradients));
        Gemm.Multiply(rows, _inputs, _outputs, dOutput, _outputs, Weight.In(parameters), _inputs, dInput, _inputs, accumulate: false, threads,
            cancellation);
    }
}
