using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// 6×16 tile in twelve Vector256 accumulators, the classic shape for sixteen YMM registers:
/// twelve accumulators, two B vectors and one broadcast.
/// </summary>
internal readonly unsafe struct Avx2MicroKernel : IGemmMicroKernel
{
    public static int Mr => 6;

    public static int Nr => 16;

    public static int Kc => 256;

    public static int Mc => 120;

    public static int Nc => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);

            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ai, b0, c00);
            c01 = Fma.MultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ai, b0, c10);
            c11 = Fma.MultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ai, b0, c20);
            c21 = Fma.MultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ai, b0, c30);
            c31 = Fma.MultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ai, b0, c40);
            c41 = Fma.MultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ai, b0, c50);
            c51 = Fma.MultiplyAdd(ai, b1, c51);

            a += 6;
            b += ldb;
        }

        StoreRow(c, c00, c01, accumulate);
        StoreRow(c + ldc, c10, c11, accumulate);
        StoreRow(c + 2 * ldc, c20, c21, accumulate);
        StoreRow(c + 3 * ldc, c30, c31, accumulate);
        StoreRow(c + 4 * ldc, c40, c41, accumulate);
        StoreRow(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> v0, Vector256<float> v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 = Vector256.Load(c) + v0;
            v1 = Vector256.Load(c + 8) + v1;
        }

        Vector256.Store(v0, c);
        Vector256.Store(v1, c + 8);
    }
}
