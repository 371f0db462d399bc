namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// How the whole-sequence pass rounds one row of a linear projection <c>x Wᵀ</c> (an input projection or the head),
/// so that a single row computed alone gets the same bits as that row inside a product over every step.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Gemm.MultiplyTransposedB"/> picks its algorithm by shape (<see cref="GemmDispatcher.Plan"/>), and the
/// algorithms round differently: the dot form (few rows or little work) sums a deep row in vector lanes and then
/// across them, while the packed path (and the row form) sums each element in depth order from zero, one slice of
/// <see cref="GemmPlan.KcBlock"/> at a time, adding the slices. Scoring plans its products by one sequence's rows
/// (<see cref="GemmProblem.SequenceRows"/>), so which of them a projection takes depends on its shape, not on how many
/// steps or rows are scored with it.
/// </para>
/// <para>
/// Two values: <see cref="Dots"/> (the dot form's rounding: a one-row product reproduces it), or a slice depth
/// (sequential fused sums in depth order from zero over slices of that depth, merged by addition). A dot form of a
/// depth below a vector rounds as one sequential slice, so it is normalised to that.
/// </para>
/// </remarks>
internal readonly record struct ProjectionRounding(bool Dots, int SliceDepth)
{
    /// <summary>How a product of <paramref name="rows"/> rows × <paramref name="columns"/> columns at depth
    /// <paramref name="depth"/>, as <see cref="Gemm.MultiplyTransposedB"/> lays it out, rounds each element.</summary>
    public static unsafe ProjectionRounding Of(int rows, int columns, int depth)
    {
        if (depth == 0)
            return new ProjectionRounding(false, 0);

        // Plan looks at the sizes and strides only; the pointers are never read. Scoring plans row-invariantly (one
        // row per step, a count that varies), so since then every number of rows rounds the same way.
        var problem = new GemmProblem(rows, columns, depth, new StridedMatrix(null, depth, 1), new StridedMatrix(null, 1, depth),
            new StridedMatrix(null, columns, 1), accumulate: false, sequenceRows: GemmDispatcher.VaryingRows);
        GemmPlan plan = GemmDispatcher.Plan(ref problem, maxThreads: 1, out _, out _);
        return plan.Path switch
        {
            GemmPath.Dots when depth >= System.Numerics.Vector<float>.Count => new ProjectionRounding(true, 0),
            GemmPath.Dots or GemmPath.Rows => new ProjectionRounding(false, depth),
            _ => new ProjectionRounding(false, Math.Min(plan.KcBlock, depth)),
        };
    }
}
