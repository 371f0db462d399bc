namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One row of a linear projection <c>x Wᵀ</c> (a layer's input projection or the head), rounded as a chosen
/// <see cref="ProjectionRounding"/>, through the same GEMM entry points the whole-sequence pass uses.
/// </summary>
/// <remarks>
/// The dot form is a one-row <see cref="Gemm.MultiplyTransposedB"/> (which takes the dot form itself). The sequential
/// form is a one-row <see cref="Gemm.Multiply"/> per depth slice on a transposed copy of the weight (the row form:
/// fused sums in depth order from zero, as the packed micro-kernels sum), each later slice added to the first as the
/// packed driver merges them. The copy is made once; a step allocates nothing.
/// </remarks>
internal sealed class RowProjection
{
    private readonly float[] _parameters;
    private readonly int _offset;
    private readonly ParameterTensor _weight;
    private readonly float[] _transposed;

    /// <param name="parameters">The network's parameter vector (read at every step; it must not change).</param>
    /// <param name="offset">Where the part that <paramref name="weight"/>'s offset is relative to starts.</param>
    /// <param name="weight">The weight, <c>[columns, depth]</c>.</param>
    public RowProjection(float[] parameters, int offset, ParameterTensor weight)
    {
        _parameters = parameters;
        _offset = offset;
        _weight = weight;
        Columns = weight.Rows;
        Depth = weight.Columns;
        ReadOnlySpan<float> w = Weight;
        _transposed = new float[Columns * Depth];
        for (int j = 0; j < Columns; j++)
            for (int p = 0; p < Depth; p++)
                _transposed[p * Columns + j] = w[j * Depth + p];
    }

    /// <summary>Output values (rows of the weight).</summary>
    public int Columns { get; }

    /// <summary>Input values (columns of the weight).</summary>
    public int Depth { get; }

    private ReadOnlySpan<float> Weight => _weight.In(_parameters.AsSpan(_offset));

    /// <summary>The rounding a product of this projection over <paramref name="rows"/> rows gives each row.</summary>
    public ProjectionRounding RoundingFor(int rows) => ProjectionRounding.Of(rows, Columns, Depth);

    /// <summary>Writes <c>x Wᵀ</c> (<see cref="Columns"/> values) into <paramref name="output"/>, rounded as <paramref name="rounding"/>.</summary>
    public void Project(ReadOnlySpan<float> x, ProjectionRounding rounding, Span<float> output)
    {
        int n = Columns, k = Depth;
        if (k == 0)
        {
            output[..n].Clear();
            return;
        }

        if (rounding.Dots)
        {
            Gemm.MultiplyTransposedB(1, n, k, x, k, Weight, k, output, n, accumulate: false);
            return;
        }

        int slice = rounding.SliceDepth;
        for (int p = 0; p < k; p += slice)
        {
            int depth = Math.Min(slice, k - p);
            Gemm.Multiply(1, n, depth, x.Slice(p, depth), depth, _transposed.AsSpan(p * n, depth * n), n, output, n, accumulate: p > 0);
        }
    }
}
