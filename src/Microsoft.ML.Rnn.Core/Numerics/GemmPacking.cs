using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Copies a panel of an operand into the layout the micro-kernels read: for each step p of the
/// depth, <c>width</c> consecutive floats (the panel's rows of A or columns of B), zero-padded
/// past <c>valid</c> so edge tiles run the full kernel without reading out of bounds.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// <c>dst[p·width + q] = src[p·pStride + q·qStride]</c> for p &lt; kc, q &lt; valid; zero for
    /// valid ≤ q &lt; width. One of the strides is 1: a unit q-stride is a row copy, a unit p-stride
    /// a transposition (done in 8×8 AVX blocks when <paramref name="simd"/> is set).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanel(float* src, nint pStride, nint qStride, int kc, int valid, int width, float* dst, bool simd)
    {
        if (qStride == 1)
        {
            CopyRows(src, pStride, kc, valid, width, dst);
        }
        else if (pStride == 1 && simd && Avx.IsSupported)
        {
            TransposeAvx(src, qStride, kc, valid, width, dst);
        }
        else
        {
            TransposeScalar(src, pStride, qStride, 0, kc, 0, valid, width, dst);
        }

        if (valid < width)
        {
            for (int p = 0; p < kc; p++)
            {
                new Span<float>(dst + (nint)p * width + valid, width - valid).Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(float* src, nint pStride, int kc, int valid, int width, float* dst)
    {
        int vw = Vector<float>.Count;
        int vectorEnd = valid - valid % vw;
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * pStride;
            float* d = dst + (nint)p * width;
            int q = 0;
            for (; q < vectorEnd; q += vw)
            {
                Vector.Store(Vector.Load(s + q), d + q);
            }

            for (; q < valid; q++)
            {
                d[q] = s[q];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeAvx(float* src, nint qStride, int kc, int valid, int width, float* dst)
    {
        int qBlocks = valid & ~7;
        int pBlocks = kc & ~7;
        for (int q = 0; q < qBlocks; q += 8)
        {
            float* s = src + q * qStride;
            for (int p = 0; p < pBlocks; p += 8)
            {
                Transpose8x8(s + p, qStride, dst + (nint)p * width + q, width);
            }
        }

        // Ragged depth of the full row blocks, then the rows left over.
        TransposeScalar(src, 1, qStride, pBlocks, kc, 0, qBlocks, width, dst);
        TransposeScalar(src, 1, qStride, 0, kc, qBlocks, valid, width, dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeScalar(float* src, nint pStride, nint qStride, int pStart, int pEnd, int qStart, int qEnd, int width, float* dst)
    {
        for (int q = qStart; q < qEnd; q++)
        {
            float* s = src + q * qStride;
            for (int p = pStart; p < pEnd; p++)
            {
                dst[(nint)p * width + q] = s[p * pStride];
            }
        }
    }

    /// <summary>Reads 8 rows of 8 floats (rows <paramref name="srcStride"/> apart) and writes their columns as rows. Needs AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride);
        Vector256<float> r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride);
        Vector256<float> r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride);
        Vector256<float> r7 = Avx.LoadVector256(src + 7 * srcStride);

        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }
}
