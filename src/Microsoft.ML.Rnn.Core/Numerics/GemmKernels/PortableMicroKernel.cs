using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// 4 × (2·Vector&lt;float&gt;.Count) tile with <see cref="Vector{T}"/>: runs on any runtime, and
/// uses the same fused multiply-add per term as the intrinsic kernels.
/// </summary>
internal readonly unsafe struct PortableMicroKernel : IGemmMicroKernel
{
    public static int Mr => 4;

    public static int Nr => 2 * Vector<float>.Count;

    public static int Kc => 256;

    public static int Mc => 128;

    public static int Nc => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector<float> b0 = Vector.Load(b);
            Vector<float> b1 = Vector.Load(b + w);

            Vector<float> ai = new(a[0]);
            c00 = Vector.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector.FusedMultiplyAdd(ai, b1, c01);
            ai = new(a[1]);
            c10 = Vector.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector.FusedMultiplyAdd(ai, b1, c11);
            ai = new(a[2]);
            c20 = Vector.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector.FusedMultiplyAdd(ai, b1, c21);
            ai = new(a[3]);
            c30 = Vector.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector.FusedMultiplyAdd(ai, b1, c31);

            a += 4;
            b += ldb;
        }

        StoreRow(c, c00, c01, accumulate);
        StoreRow(c + ldc, c10, c11, accumulate);
        StoreRow(c + 2 * ldc, c20, c21, accumulate);
        StoreRow(c + 3 * ldc, c30, c31, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector<float> v0, Vector<float> v1, bool accumulate)
    {
        int w = Vector<float>.Count;
        if (accumulate)
        {
            v0 = Vector.Load(c) + v0;
            v1 = Vector.Load(c + w) + v1;
        }

        Vector.Store(v0, c);
        Vector.Store(v1, c + w);
    }
}
