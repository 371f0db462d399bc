using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The blocked GEMM (Goto/BLIS loop order): for each block of columns and each slice of the depth,
/// and for each block of rows, pack A; then sweep the micro-kernel over the tiles, packing each B
/// panel (first row block only) right before it is reused from L1 across all row panels.
/// </summary>
internal static unsafe class GemmPackedDriver
{
    /// <summary>
    /// Runs <paramref name="problem"/> (M, N, K &gt; 0) summing the depth in slices of
    /// <paramref name="kcBlock"/>. The slice length decides the rounding, so callers fix it for the
    /// whole product and every sub-problem of a split uses the same value.
    /// </summary>
    /// <param name="problem">The product.</param>
    /// <param name="kcBlock">Depth of a slice.</param>
    /// <param name="streamB">
    /// Read full B panels in place instead of packing them (needs B rows contiguous). Pays when
    /// few row panels reuse each B panel: packing costs a full pass over B.
    /// </param>
    /// <param name="simdPacking">Use the AVX transposes when packing.</param>
    /// <exception cref="OperationCanceledException">The problem's token was cancelled; C is left partly written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TKernel>(in GemmProblem problem, int kcBlock, bool streamB, bool simdPacking)
        where TKernel : struct, IGemmMicroKernel
    {
        int m = problem.M, n = problem.N, k = problem.K;
        int mr = TKernel.Mr, nr = TKernel.Nr;
        StridedMatrix a = problem.A, b = problem.B;

        int kcMax = Math.Min(kcBlock, k);
        GemmWorkspace workspace = GemmWorkspace.Current;
        float* packedA = workspace.PackedA(Math.Min(TKernel.Mc, RoundUp(m, mr)) * kcMax);
        float* packedB = workspace.PackedB((streamB ? nr : Math.Min(TKernel.Nc, RoundUp(n, nr))) * kcMax);

        for (int jc = 0; jc < n; jc += TKernel.Nc)
        {
            int nc = Math.Min(TKernel.Nc, n - jc);
            for (int pc = 0; pc < k; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, k - pc);
                for (int ic = 0; ic < m; ic += TKernel.Mc)
                {
                    // One volatile read a block (Mc·Nc·Kc multiply-adds): a large product stops within
                    // about a millisecond of being cancelled, at no measurable cost.
                    problem.Cancellation.ThrowIfCancellationRequested();
                    int mc = Math.Min(TKernel.Mc, m - ic);
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        GemmPacking.PackPanel(
                            a.At(ic + ir, pc), a.ColStride, a.RowStride, kc, Math.Min(mr, mc - ir), mr, packedA + (nint)ir * kc, simdPacking);
                    }

                    // B panels are packed by the first row block, each just before its tiles use it
                    // (so it is still in L1), and reused by the later row blocks.
                    var block = new Block(ic, mc, jc, nc, pc, kc, problem.Accumulate || pc > 0);
                    SweepTiles<TKernel>(problem, block, packedA, packedB, streamB, packB: !streamB && ic == 0, simdPacking);
                }
            }
        }
    }

    /// <summary>
    /// Runs the micro-kernel over every tile of one block of C: B panels outside, so each stays in
    /// L1 while the row panels of the packed A block stream past it.
    /// </summary>
    private static void SweepTiles<TKernel>(
        in GemmProblem problem, in Block block, float* packedA, float* packedB, bool streamB, bool packB, bool simdPacking)
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        StridedMatrix b = problem.B, c = problem.C;
        int kc = block.Kc;
        float* tile = stackalloc float[TKernel.Mr * TKernel.Nr];

        for (int jr = 0; jr < block.Nc; jr += nr)
        {
            int cols = Math.Min(nr, block.Nc - jr);
            float* bPanel = packedB + (nint)jr * kc;
            nint ldb = nr;
            if (packB)
            {
                GemmPacking.PackPanel(b.At(block.Pc, block.Jc + jr), b.RowStride, b.ColStride, kc, cols, nr, bPanel, simdPacking);
            }
            else if (streamB && cols == nr)
            {
                bPanel = b.At(block.Pc, block.Jc + jr);
                ldb = b.RowStride;
            }
            else if (streamB)
            {
                // The ragged last panel is packed (zero-padded) even when streaming.
                bPanel = packedB;
                GemmPacking.PackPanel(b.At(block.Pc, block.Jc + jr), b.RowStride, b.ColStride, kc, cols, nr, bPanel, simdPacking);
            }

            for (int ir = 0; ir < block.Mc; ir += mr)
            {
                int rows = Math.Min(mr, block.Mc - ir);
                float* aPanel = packedA + (nint)ir * kc;
                StridedMatrix cTile = c.Offset(block.Ic + ir, block.Jc + jr);
                if (rows == mr && cols == nr && c.ColStride == 1)
                {
                    TKernel.Run(kc, aPanel, bPanel, ldb, cTile.Data, c.RowStride, block.Accumulate);
                }
                else
                {
                    // Edge or transposed C: full tile into scratch, then only the valid part.
                    TKernel.Run(kc, aPanel, bPanel, ldb, tile, nr, accumulate: false);
                    MergeTile(tile, nr, cTile, rows, cols, block.Accumulate, simdPacking);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTile(float* tile, int tileStride, StridedMatrix c, int rows, int cols, bool accumulate, bool simd)
    {
        if (c.RowStride == 1 && rows == 8 && simd && Avx.IsSupported)
        {
            MergeTileTransposed8(tile, tileStride, c, cols, accumulate);
            return;
        }

        if (c.ColStride == 1)
        {
            for (int r = 0; r < rows; r++)
            {
                MergeRow(tile + (nint)r * tileStride, c.At(r, 0), cols, accumulate);
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            float* t = tile + (nint)r * tileStride;
            for (int j = 0; j < cols; j++)
            {
                float* dst = c.At(r, j);
                *dst = accumulate ? *dst + t[j] : t[j];
            }
        }
    }

    /// <summary>A finished row lands in C: C row = row, or C row + row (also the small kernels' row buffers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MergeRow(float* tile, float* c, int cols, bool accumulate)
    {
        int w = Vector<float>.Count;
        int j = 0;
        for (; j + w <= cols; j += w)
        {
            Vector<float> t = Vector.Load(tile + j);
            Vector.Store(accumulate ? Vector.Load(c + j) + t : t, c + j);
        }

        for (; j < cols; j++)
        {
            c[j] = accumulate ? c[j] + tile[j] : tile[j];
        }
    }

    /// <summary>
    /// Merges an 8-row tile into a C stored transposed (C rows are contiguous down the tile's
    /// columns): 8×8 AVX transposes turn each tile column into one vector.
    /// </summary>
    private static void MergeTileTransposed8(float* tile, int tileStride, StridedMatrix c, int cols, bool accumulate)
    {
        float* block = stackalloc float[64];
        int j = 0;
        for (; j + 8 <= cols; j += 8)
        {
            GemmPacking.Transpose8x8(tile + j, tileStride, block, 8);
            for (int jj = 0; jj < 8; jj++)
            {
                float* dst = c.At(0, j + jj);
                Vector256<float> sum = Vector256.Load(block + jj * 8);
                Vector256.Store(accumulate ? Vector256.Load(dst) + sum : sum, dst);
            }
        }

        for (; j < cols; j++)
        {
            for (int r = 0; r < 8; r++)
            {
                float* dst = c.At(r, j);
                float t = tile[r * tileStride + j];
                *dst = accumulate ? *dst + t : t;
            }
        }
    }

    /// <summary>Rows [Ic, Ic + Mc), columns [Jc, Jc + Nc) and depth slice [Pc, Pc + Kc) of one packed block.</summary>
    private readonly record struct Block(int Ic, int Mc, int Jc, int Nc, int Pc, int Kc, bool Accumulate);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
