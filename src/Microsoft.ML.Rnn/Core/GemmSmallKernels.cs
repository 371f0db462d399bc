using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Unpacked paths for products too thin for packing to pay: a few rows of C (a single sequence at
/// prediction time, tutorial-sized layers). Both read the operands in place.
/// </summary>
internal static unsafe class GemmSmallKernels
{
    /// <summary>
    /// Row form, for B with contiguous rows (C = A·B and C = Aᵀ·B): each row of C is
    /// Σ_k A[i, k]·B[k, :], vectorised along the row. Per element it is the same fused sum in k
    /// order as the micro-kernels, so it rounds identically.
    /// </summary>
    public static void Rows(in GemmProblem problem)
    {
        int w = Vector<float>.Count;
        int n = problem.N, k = problem.K;
        StridedMatrix a = problem.A, b = problem.B, c = problem.C;
        bool accumulate = problem.Accumulate;

        for (int i = 0; i < problem.M; i++)
        {
            float* aRow = a.At(i, 0);
            float* cRow = c.At(i, 0);
            int j = 0;
            for (; j + 4 * w <= n; j += 4 * w)
            {
                Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
                float* bk = b.At(0, j);
                float* ak = aRow;
                for (int p = 0; p < k; p++)
                {
                    Vector<float> ap = new(*ak);
                    s0 = Vector.FusedMultiplyAdd(ap, Vector.Load(bk), s0);
                    s1 = Vector.FusedMultiplyAdd(ap, Vector.Load(bk + w), s1);
                    s2 = Vector.FusedMultiplyAdd(ap, Vector.Load(bk + 2 * w), s2);
                    s3 = Vector.FusedMultiplyAdd(ap, Vector.Load(bk + 3 * w), s3);
                    ak += a.ColStride;
                    bk += b.RowStride;
                }

                Store(cRow + j, s0, accumulate);
                Store(cRow + j + w, s1, accumulate);
                Store(cRow + j + 2 * w, s2, accumulate);
                Store(cRow + j + 3 * w, s3, accumulate);
            }

            for (; j + w <= n; j += w)
            {
                Vector<float> s = default;
                float* bk = b.At(0, j);
                float* ak = aRow;
                for (int p = 0; p < k; p++)
                {
                    s = Vector.FusedMultiplyAdd(new Vector<float>(*ak), Vector.Load(bk), s);
                    ak += a.ColStride;
                    bk += b.RowStride;
                }

                Store(cRow + j, s, accumulate);
            }

            for (; j < n; j++)
            {
                float s = 0;
                float* bk = b.At(0, j);
                float* ak = aRow;
                for (int p = 0; p < k; p++)
                {
                    s = MathF.FusedMultiplyAdd(*ak, *bk, s);
                    ak += a.ColStride;
                    bk += b.RowStride;
                }

                cRow[j] = accumulate ? cRow[j] + s : s;
            }
        }
    }

    /// <summary>
    /// Dot form, for A and B both contiguous along the depth (C = A·Bᵀ): each element is a dot
    /// product of two contiguous rows, four at a time sharing one operand. When C has few columns
    /// the shared operand is the B row instead, so four rows of A go together.
    /// </summary>
    public static void Dots(in GemmProblem problem)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        StridedMatrix a = problem.A, b = problem.B, c = problem.C;
        bool accumulate = problem.Accumulate;
        float s0, s1, s2, s3;

        if (n >= 4 || m < 4)
        {
            for (int i = 0; i < m; i++)
            {
                float* x = a.At(i, 0);
                int j = 0;
                for (; j + 4 <= n; j += 4)
                {
                    Dot4(x, b.At(0, j), b.At(0, j + 1), b.At(0, j + 2), b.At(0, j + 3), k, out s0, out s1, out s2, out s3);
                    Put(c.At(i, j), s0, accumulate);
                    Put(c.At(i, j + 1), s1, accumulate);
                    Put(c.At(i, j + 2), s2, accumulate);
                    Put(c.At(i, j + 3), s3, accumulate);
                }

                for (; j < n; j++)
                {
                    Put(c.At(i, j), Dot1(x, b.At(0, j), k), accumulate);
                }
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                float* y = b.At(0, j);
                int i = 0;
                for (; i + 4 <= m; i += 4)
                {
                    Dot4(y, a.At(i, 0), a.At(i + 1, 0), a.At(i + 2, 0), a.At(i + 3, 0), k, out s0, out s1, out s2, out s3);
                    Put(c.At(i, j), s0, accumulate);
                    Put(c.At(i + 1, j), s1, accumulate);
                    Put(c.At(i + 2, j), s2, accumulate);
                    Put(c.At(i + 3, j), s3, accumulate);
                }

                for (; i < m; i++)
                {
                    Put(c.At(i, j), Dot1(y, a.At(i, 0), k), accumulate);
                }
            }
        }
    }

    // Dot1 and Dot4 round the same way for the same pair (lane-wise fused sums, one fixed
    // horizontal sum, then the tail), whichever operand is shared.
    private static void Dot4(float* x, float* y0, float* y1, float* y2, float* y3, int k, out float s0, out float s1, out float s2, out float s3)
    {
        int w = Vector<float>.Count;
        Vector<float> v0 = default, v1 = default, v2 = default, v3 = default;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            Vector<float> xp = Vector.Load(x + p);
            v0 = Vector.FusedMultiplyAdd(xp, Vector.Load(y0 + p), v0);
            v1 = Vector.FusedMultiplyAdd(xp, Vector.Load(y1 + p), v1);
            v2 = Vector.FusedMultiplyAdd(xp, Vector.Load(y2 + p), v2);
            v3 = Vector.FusedMultiplyAdd(xp, Vector.Load(y3 + p), v3);
        }

        s0 = Vector.Sum(v0);
        s1 = Vector.Sum(v1);
        s2 = Vector.Sum(v2);
        s3 = Vector.Sum(v3);
        for (; p < k; p++)
        {
            s0 = MathF.FusedMultiplyAdd(x[p], y0[p], s0);
            s1 = MathF.FusedMultiplyAdd(x[p], y1[p], s1);
            s2 = MathF.FusedMultiplyAdd(x[p], y2[p], s2);
            s3 = MathF.FusedMultiplyAdd(x[p], y3[p], s3);
        }
    }

    private static float Dot1(float* x, float* y, int k)
    {
        int w = Vector<float>.Count;
        Vector<float> v = default;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            v = Vector.FusedMultiplyAdd(Vector.Load(x + p), Vector.Load(y + p), v);
        }

        float s = Vector.Sum(v);
        for (; p < k; p++)
        {
            s = MathF.FusedMultiplyAdd(x[p], y[p], s);
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector<float> sum, bool accumulate) =>
        Vector.Store(accumulate ? Vector.Load(c) + sum : sum, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, float sum, bool accumulate) => *c = accumulate ? *c + sum : sum;
}
