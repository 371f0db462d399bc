using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Unpacked paths for products too thin for packing to pay: a few rows of C (a single sequence at
/// prediction time, tutorial-sized layers). Both read the operands in place.
/// </summary>
internal static unsafe class GemmSmallKernels
{
    /// <summary>
    /// Row form, for B with contiguous rows (C = A·B and C = Aᵀ·B): rows of C, two at a time, are
    /// Σ_k A[i, k]·B[k, :], built in a row buffer from four rows of B per pass, so B streams through
    /// once per pair of rows and each element is still one fused sum in k order from zero, rounded
    /// exactly as the micro-kernels round it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(in GemmProblem problem)
    {
        int n = problem.N, k = problem.K;
        StridedMatrix a = problem.A, b = problem.B, c = problem.C;
        float* sums = GemmWorkspace.Current.RowSums(2 * n);

        for (int i = 0; i < problem.M; i += 2)
        {
            bool pair = i + 1 < problem.M;
            float* s0 = sums;
            float* s1 = sums + n;
            new Span<float>(sums, pair ? 2 * n : n).Clear();
            float* a0 = a.At(i, 0);
            float* a1 = pair ? a.At(i + 1, 0) : a0;
            nint cs = a.ColStride;

            int p = 0;
            for (; p + 4 <= k; p += 4)
            {
                float* b0 = b.At(p, 0);
                nint ldb = b.RowStride;
                if (pair)
                {
                    Axpy4(s0, s1, n, b0, ldb, a0 + p * cs, a1 + p * cs, cs);
                }
                else
                {
                    Axpy4(s0, n, b0, ldb, a0 + p * cs, cs);
                }
            }

            for (; p < k; p++)
            {
                Axpy1(s0, n, b.At(p, 0), a0[p * cs]);
                if (pair)
                {
                    Axpy1(s1, n, b.At(p, 0), a1[p * cs]);
                }
            }

            GemmPackedDriver.MergeRow(s0, c.At(i, 0), n, problem.Accumulate);
            if (pair)
            {
                GemmPackedDriver.MergeRow(s1, c.At(i + 1, 0), n, problem.Accumulate);
            }
        }
    }

    /// <summary>s0 += Σ_{q&lt;4} x0[q]·B[q, :] and s1 += Σ_{q&lt;4} x1[q]·B[q, :], one fused step per q in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy4(float* s0, float* s1, int n, float* b0, nint ldb, float* x0, float* x1, nint xStride)
    {
        float* b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        float x00 = x0[0], x01 = x0[xStride], x02 = x0[2 * xStride], x03 = x0[3 * xStride];
        float x10 = x1[0], x11 = x1[xStride], x12 = x1[2 * xStride], x13 = x1[3 * xStride];
        int w = Vector<float>.Count;
        int j = 0;
        for (; j + w <= n; j += w)
        {
            Vector<float> v0 = Vector.Load(b0 + j), v1 = Vector.Load(b1 + j), v2 = Vector.Load(b2 + j), v3 = Vector.Load(b3 + j);
            Vector<float> t0 = Vector.Load(s0 + j), t1 = Vector.Load(s1 + j);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x00), v0, t0);
            t1 = Vector.FusedMultiplyAdd(new Vector<float>(x10), v0, t1);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x01), v1, t0);
            t1 = Vector.FusedMultiplyAdd(new Vector<float>(x11), v1, t1);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x02), v2, t0);
            t1 = Vector.FusedMultiplyAdd(new Vector<float>(x12), v2, t1);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x03), v3, t0);
            t1 = Vector.FusedMultiplyAdd(new Vector<float>(x13), v3, t1);
            Vector.Store(t0, s0 + j);
            Vector.Store(t1, s1 + j);
        }

        for (; j < n; j++)
        {
            s0[j] = MathF.FusedMultiplyAdd(x03, b3[j], MathF.FusedMultiplyAdd(x02, b2[j], MathF.FusedMultiplyAdd(x01, b1[j], MathF.FusedMultiplyAdd(x00, b0[j], s0[j]))));
            s1[j] = MathF.FusedMultiplyAdd(x13, b3[j], MathF.FusedMultiplyAdd(x12, b2[j], MathF.FusedMultiplyAdd(x11, b1[j], MathF.FusedMultiplyAdd(x10, b0[j], s1[j]))));
        }
    }

    /// <summary>s0 += Σ_{q&lt;4} x0[q]·B[q, :], one fused step per q in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy4(float* s0, int n, float* b0, nint ldb, float* x0, nint xStride)
    {
        float* b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        float x00 = x0[0], x01 = x0[xStride], x02 = x0[2 * xStride], x03 = x0[3 * xStride];
        int w = Vector<float>.Count;
        int j = 0;
        for (; j + w <= n; j += w)
        {
            Vector<float> t0 = Vector.Load(s0 + j);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x00), Vector.Load(b0 + j), t0);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x01), Vector.Load(b1 + j), t0);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x02), Vector.Load(b2 + j), t0);
            t0 = Vector.FusedMultiplyAdd(new Vector<float>(x03), Vector.Load(b3 + j), t0);
            Vector.Store(t0, s0 + j);
        }

        for (; j < n; j++)
        {
            s0[j] = MathF.FusedMultiplyAdd(x03, b3[j], MathF.FusedMultiplyAdd(x02, b2[j], MathF.FusedMultiplyAdd(x01, b1[j], MathF.FusedMultiplyAdd(x00, b0[j], s0[j]))));
        }
    }

    /// <summary>s += x·B[0, :].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy1(float* s, int n, float* b, float x)
    {
        int w = Vector<float>.Count;
        int j = 0;
        for (; j + w <= n; j += w)
        {
            Vector.Store(Vector.FusedMultiplyAdd(new Vector<float>(x), Vector.Load(b + j), Vector.Load(s + j)), s + j);
        }

        for (; j < n; j++)
        {
            s[j] = MathF.FusedMultiplyAdd(x, b[j], s[j]);
        }
    }

    /// <summary>Bytes of B rows a block of columns of the dot form keeps in L1 while every row of A passes over it.</summary>
    internal const int DotsBlockBytes = 16 << 10;

    /// <summary>
    /// Dot form, for A and B both contiguous along the depth (C = A·Bᵀ): each element is a dot
    /// product of two contiguous rows. Columns go in blocks whose B rows stay in L1 (a recurrent
    /// weight of 256×64 would otherwise stream from L2 once per row of A), and within a block two
    /// rows of A by four columns at a time share their loads. When C has few columns the shared
    /// operand is the B row instead, so four rows of A go together.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dots(in GemmProblem problem)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        StridedMatrix a = problem.A, b = problem.B, c = problem.C;
        bool accumulate = problem.Accumulate;
        float s0, s1, s2, s3;

        if (k < Vector<float>.Count)
        {
            ShortDots(problem);
            return;
        }

        if (n >= 4 || m < 4)
        {
            int blockColumns = Math.Max(4, DotsBlockBytes / (sizeof(float) * k) / 4 * 4);
            // Read once here: a method compiled optimised before the class's static fields are set (as these are, from their
            // first call) reads such a field at every use instead of folding it into a constant.
            bool pairedSums = PairedSums;
            for (int first = 0; first < n; first += blockColumns)
            {
                int end = Math.Min(n, first + blockColumns);
                int i = 0;
                for (; i + 2 <= m; i += 2)
                {
                    DotRowPair(problem, i, first, end, pairedSums);
                }

                if (i < m)
                {
                    DotRow(problem, i, first, end);
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

    /// <summary>Row <paramref name="i"/> of C over columns [<paramref name="first"/>, <paramref name="end"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRow(in GemmProblem problem, int i, int first, int end)
    {
        StridedMatrix b = problem.B, c = problem.C;
        int k = problem.K;
        bool accumulate = problem.Accumulate;
        float* x = problem.A.At(i, 0);
        int j = first;
        for (; j + 4 <= end; j += 4)
        {
            Dot4(x, b.At(0, j), b.At(0, j + 1), b.At(0, j + 2), b.At(0, j + 3), k, out float s0, out float s1, out float s2, out float s3);
            Put(c.At(i, j), s0, accumulate);
            Put(c.At(i, j + 1), s1, accumulate);
            Put(c.At(i, j + 2), s2, accumulate);
            Put(c.At(i, j + 3), s3, accumulate);
        }

        for (; j < end; j++)
        {
            Put(c.At(i, j), Dot1(x, b.At(0, j), k), accumulate);
        }
    }

    /// <summary>Rows <paramref name="i"/> and <paramref name="i"/> + 1 of C over columns [<paramref name="first"/>, <paramref name="end"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowPair(in GemmProblem problem, int i, int first, int end, bool pairedSums)
    {
        StridedMatrix b = problem.B, c = problem.C;
        int k = problem.K;
        bool accumulate = problem.Accumulate;
        float* x0 = problem.A.At(i, 0);
        float* x1 = problem.A.At(i + 1, 0);
        int j = first;
        for (; j + 4 <= end; j += 4)
        {
            float* y0 = b.At(0, j);
            float* y1 = b.At(0, j + 1);
            float* y2 = b.At(0, j + 2);
            float* y3 = b.At(0, j + 3);
            Dot2x4(x0, x1, y0, y1, y2, y3, k, out Vector<float> v00, out Vector<float> v01, out Vector<float> v02, out Vector<float> v03,
                out Vector<float> v10, out Vector<float> v11, out Vector<float> v12, out Vector<float> v13, out int p);
            Vector128<float> s0 = Sum4(v00, v01, v02, v03, pairedSums), s1 = Sum4(v10, v11, v12, v13, pairedSums);
            Put(c.At(i, j), Tail(x0, y0, p, k, s0.GetElement(0)), accumulate);
            Put(c.At(i, j + 1), Tail(x0, y1, p, k, s0.GetElement(1)), accumulate);
            Put(c.At(i, j + 2), Tail(x0, y2, p, k, s0.GetElement(2)), accumulate);
            Put(c.At(i, j + 3), Tail(x0, y3, p, k, s0.GetElement(3)), accumulate);
            Put(c.At(i + 1, j), Tail(x1, y0, p, k, s1.GetElement(0)), accumulate);
            Put(c.At(i + 1, j + 1), Tail(x1, y1, p, k, s1.GetElement(1)), accumulate);
            Put(c.At(i + 1, j + 2), Tail(x1, y2, p, k, s1.GetElement(2)), accumulate);
            Put(c.At(i + 1, j + 3), Tail(x1, y3, p, k, s1.GetElement(3)), accumulate);
        }

        for (; j < end; j++)
        {
            Put(c.At(i, j), Dot1(x0, b.At(0, j), k), accumulate);
            Put(c.At(i + 1, j), Dot1(x1, b.At(0, j), k), accumulate);
        }
    }

    /// <summary>The lane-wise part of <see cref="Dot1"/> for 2 × 4 pairs at once: eight accumulators share each load; <paramref name="p"/> is where the tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x4(float* x0, float* x1, float* y0, float* y1, float* y2, float* y3, int k,
        out Vector<float> v00, out Vector<float> v01, out Vector<float> v02, out Vector<float> v03,
        out Vector<float> v10, out Vector<float> v11, out Vector<float> v12, out Vector<float> v13, out int p)
    {
        int w = Vector<float>.Count;
        v00 = v01 = v02 = v03 = v10 = v11 = v12 = v13 = default;
        for (p = 0; p + w <= k; p += w)
        {
            Vector<float> a0 = Vector.Load(x0 + p), a1 = Vector.Load(x1 + p);
            Vector<float> b0 = Vector.Load(y0 + p), b1 = Vector.Load(y1 + p), b2 = Vector.Load(y2 + p), b3 = Vector.Load(y3 + p);
            v00 = Vector.FusedMultiplyAdd(a0, b0, v00);
            v01 = Vector.FusedMultiplyAdd(a0, b1, v01);
            v02 = Vector.FusedMultiplyAdd(a0, b2, v02);
            v03 = Vector.FusedMultiplyAdd(a0, b3, v03);
            v10 = Vector.FusedMultiplyAdd(a1, b0, v10);
            v11 = Vector.FusedMultiplyAdd(a1, b1, v11);
            v12 = Vector.FusedMultiplyAdd(a1, b2, v12);
            v13 = Vector.FusedMultiplyAdd(a1, b3, v13);
        }
    }

    /// <summary>
    /// Whether <see cref="Sum4"/> may reduce four accumulators at once with horizontal adds. It adds exactly as
    /// <see cref="Vector.Sum{T}(Vector{T})"/> does on the runtimes measured (pairs within each 128-bit half, then the
    /// halves: ((v0+v1)+(v2+v3)) + ((v4+v5)+(v6+v7))), which a one-time comparison with Vector.Sum itself confirms,
    /// so a runtime that sums in another order keeps the sums one at a time and the rounding of <see cref="Dot1"/>.
    /// </summary>
    internal static readonly bool PairedSums = Avx.IsSupported && Vector<float>.Count == 8 && PairedSumsMatchVectorSum();

    /// <summary>The four lane sums, each exactly <see cref="Vector.Sum{T}(Vector{T})"/>; with horizontal adds, 3 adds and an add of halves for four instead of one reduction each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector<float> a, Vector<float> b, Vector<float> c, Vector<float> d, bool pairedSums)
    {
        if (!pairedSums)
            return Vector128.Create(Vector.Sum(a), Vector.Sum(b), Vector.Sum(c), Vector.Sum(d));
        Vector256<float> pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a.AsVector256(), b.AsVector256()), Avx.HorizontalAdd(c.AsVector256(), d.AsVector256()));
        return pairs.GetLower() + pairs.GetUpper();
    }

    /// <summary>Compares the horizontal-add reduction with Vector.Sum on vectors of mixed signs and magnitudes (2^-24 to 2^24), where any other order of additions shows.</summary>
    private static bool PairedSumsMatchVectorSum()
    {
        var random = new Random(1);
        Span<float> values = stackalloc float[4 * 8];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)((random.NextDouble() * 2 - 1) * Math.ScaleB(1.0, random.Next(-24, 25)));
            var a = new Vector<float>(values[..8]);
            var b = new Vector<float>(values[8..16]);
            var c = new Vector<float>(values[16..24]);
            var d = new Vector<float>(values[24..]);
            Vector256<float> pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a.AsVector256(), b.AsVector256()), Avx.HorizontalAdd(c.AsVector256(), d.AsVector256()));
            Vector128<float> sums = pairs.GetLower() + pairs.GetUpper();
            if (!sums.Equals(Vector128.Create(Vector.Sum(a), Vector.Sum(b), Vector.Sum(c), Vector.Sum(d))))
                return false;
        }

        return true;
    }

    /// <summary><see cref="Dot1"/>'s sequential tail: depth [<paramref name="p"/>, <paramref name="k"/>) added to the lanes' sum <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* x, float* y, int p, int k, float s)
    {
        for (; p < k; p++)
        {
            s = MathF.FusedMultiplyAdd(x[p], y[p], s);
        }

        return s;
    }

    // Dot1, Dot4 and Dot2x4 with Tail round the same way for the same pair (lane-wise fused sums,
    // one fixed horizontal sum, then the tail), whichever operand is shared.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// The dot form for a depth shorter than a vector (the tutorial's hidden size 5): each element a plain fused sum in
    /// k order from zero, as <see cref="Dot1"/> rounds such a depth too, with no calls or horizontal sums in between,
    /// so that the independent sums overlap (2×5×5: 50 ns instead of 70).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShortDots(in GemmProblem problem)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        bool accumulate = problem.Accumulate;
        StridedMatrix a = problem.A, b = problem.B, c = problem.C;
        nint aStep = a.ColStride, bStep = b.RowStride;
        for (int i = 0; i < m; i++)
        {
            float* x = a.At(i, 0);
            for (int j = 0; j < n; j++)
            {
                float* y = b.At(0, j);
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(x[p * aStep], y[p * bStep], sum);
                }

                Put(c.At(i, j), sum, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, float sum, bool accumulate) => *c = accumulate ? *c + sum : sum;
}
