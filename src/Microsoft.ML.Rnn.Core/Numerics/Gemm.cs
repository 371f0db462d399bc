using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Single-precision matrix products on row-major spans: the three the recurrent core needs.
/// </summary>
/// <remarks>
/// Every element of C is a sum over the depth in index order, one fused multiply-add per term,
/// so results are deterministic. With <c>maxThreads</c> &gt; 1, large products are split by rows
/// or columns of C (never over the depth); for a fixed thread count the result is bit-identical
/// from run to run. Calls allocate nothing once each thread's packing buffers have grown to the
/// largest shape it has seen. A cancellation token stops a long product within about a
/// millisecond of work per thread, on whichever thread runs that part.
/// </remarks>
internal static class Gemm
{
    /// <summary>C = A·Bᵀ, or C += A·Bᵀ when <paramref name="accumulate"/> is set.</summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B; columns of C.</param>
    /// <param name="k">Columns of A and B (the depth summed over).</param>
    /// <param name="a">A, M×K, row-major.</param>
    /// <param name="lda">Distance between rows of A (at least K).</param>
    /// <param name="b">B, N×K, row-major.</param>
    /// <param name="ldb">Distance between rows of B (at least K).</param>
    /// <param name="c">C, M×N, row-major; must not overlap A or B.</param>
    /// <param name="ldc">Distance between rows of C (at least N).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="maxThreads">Most threads the product may use; it uses one below a size threshold.</param>
    /// <param name="cancellation">Checked once per packed block; when cancelled, C is left partly written.</param>
    /// <param name="sequenceRows">
    /// 0 to choose the algorithm by this product's shape; otherwise the rows of A one sequence contributes
    /// (<see cref="GemmDispatcher.VaryingRows"/> when that varies), making each row's result independent of M (see <see cref="GemmProblem.SequenceRows"/>).
    /// </param>
    /// <exception cref="ArgumentException">A size, leading dimension or span length does not fit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled before the product finished.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyTransposedB(
        int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1,
        CancellationToken cancellation = default, int sequenceRows = 0)
    {
        Check(m, n, k, maxThreads);
        CheckMatrix(a, m, k, lda, nameof(a), nameof(lda));
        CheckMatrix(b, n, k, ldb, nameof(b), nameof(ldb));
        CheckOutput(c, m, n, ldc, a, Extent(m, k, lda), b, Extent(n, k, ldb));
        fixed (float* pa = a, pb = b, pc = c)
        {
            GemmDispatcher.Run(
                new GemmProblem(m, n, k, new StridedMatrix(pa, lda, 1), new StridedMatrix(pb, 1, ldb), new StridedMatrix(pc, ldc, 1), accumulate, cancellation,
                    sequenceRows),
                maxThreads);
        }
    }

    /// <summary>C = A·B, or C += A·B when <paramref name="accumulate"/> is set.</summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A; rows of B (the depth summed over).</param>
    /// <param name="a">A, M×K, row-major.</param>
    /// <param name="lda">Distance between rows of A (at least K).</param>
    /// <param name="b">B, K×N, row-major.</param>
    /// <param name="ldb">Distance between rows of B (at least N).</param>
    /// <param name="c">C, M×N, row-major; must not overlap A or B.</param>
    /// <param name="ldc">Distance between rows of C (at least N).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="maxThreads">Most threads the product may use; it uses one below a size threshold.</param>
    /// <param name="cancellation">Checked once per packed block; when cancelled, C is left partly written.</param>
    /// <exception cref="ArgumentException">A size, leading dimension or span length does not fit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled before the product finished.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Multiply(
        int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1,
        CancellationToken cancellation = default)
    {
        Check(m, n, k, maxThreads);
        CheckMatrix(a, m, k, lda, nameof(a), nameof(lda));
        CheckMatrix(b, k, n, ldb, nameof(b), nameof(ldb));
        CheckOutput(c, m, n, ldc, a, Extent(m, k, lda), b, Extent(k, n, ldb));
        fixed (float* pa = a, pb = b, pc = c)
        {
            GemmDispatcher.Run(
                new GemmProblem(m, n, k, new StridedMatrix(pa, lda, 1), new StridedMatrix(pb, ldb, 1), new StridedMatrix(pc, ldc, 1), accumulate, cancellation),
                maxThreads);
        }
    }

    /// <summary>C = Aᵀ·B, or C += Aᵀ·B when <paramref name="accumulate"/> is set.</summary>
    /// <param name="m">Columns of A; rows of C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Rows of A and B (the depth summed over).</param>
    /// <param name="a">A, K×M, row-major.</param>
    /// <param name="lda">Distance between rows of A (at least M).</param>
    /// <param name="b">B, K×N, row-major.</param>
    /// <param name="ldb">Distance between rows of B (at least N).</param>
    /// <param name="c">C, M×N, row-major; must not overlap A or B.</param>
    /// <param name="ldc">Distance between rows of C (at least N).</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="maxThreads">Most threads the product may use; it uses one below a size threshold.</param>
    /// <param name="cancellation">Checked once per packed block; when cancelled, C is left partly written.</param>
    /// <exception cref="ArgumentException">A size, leading dimension or span length does not fit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled before the product finished.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyTransposedA(
        int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1,
        CancellationToken cancellation = default)
    {
        Check(m, n, k, maxThreads);
        CheckMatrix(a, k, m, lda, nameof(a), nameof(lda));
        CheckMatrix(b, k, n, ldb, nameof(b), nameof(ldb));
        CheckOutput(c, m, n, ldc, a, Extent(k, m, lda), b, Extent(k, n, ldb));
        fixed (float* pa = a, pb = b, pc = c)
        {
            GemmDispatcher.Run(
                new GemmProblem(m, n, k, new StridedMatrix(pa, 1, lda), new StridedMatrix(pb, ldb, 1), new StridedMatrix(pc, ldc, 1), accumulate, cancellation),
                maxThreads);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Check(int m, int n, int k, int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckMatrix(ReadOnlySpan<float> span, int rows, int cols, int ld, string spanName, string ldName)
    {
        if (ld < cols)
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"The leading dimension must be at least the {cols} columns stored per row.");
        }

        long needed = Extent(rows, cols, ld);
        if (span.Length < needed)
        {
            throw new ArgumentException($"A {rows}×{cols} matrix with leading dimension {ld} needs {needed} elements; the span has {span.Length}.", spanName);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckOutput(Span<float> c, int m, int n, int ldc, ReadOnlySpan<float> a, long aExtent, ReadOnlySpan<float> b, long bExtent)
    {
        CheckMatrix(c, m, n, ldc, nameof(c), nameof(ldc));

        // Only the elements actually read and written count: callers may slice one big workspace.
        ReadOnlySpan<float> written = c[..(int)Extent(m, n, ldc)];
        if (written.Overlaps(a[..(int)aExtent]) || written.Overlaps(b[..(int)bExtent]))
        {
            throw new ArgumentException("C must not overlap A or B.", nameof(c));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
}
