using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// 8×32 tile in sixteen Vector512 accumulators: per k, two loads of B, eight broadcasts of A and
/// sixteen FMAs, enough independent chains to keep both FMA pipes busy.
/// Eight rows divide the usual batch sizes; 32 columns divide 4·hidden.
/// </summary>
internal readonly unsafe struct Avx512MicroKernel : IGemmMicroKernel
{
    public static int Mr => 8;

    public static int Nr => 32;

    public static int Kc => 256;

    public static int Mc => 128;

    public static int Nc => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);

            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);

            a += 8;
            b += ldb;
        }

        StoreRow(c, c00, c01, accumulate);
        StoreRow(c + ldc, c10, c11, accumulate);
        StoreRow(c + 2 * ldc, c20, c21, accumulate);
        StoreRow(c + 3 * ldc, c30, c31, accumulate);
        StoreRow(c + 4 * ldc, c40, c41, accumulate);
        StoreRow(c + 5 * ldc, c50, c51, accumulate);
        StoreRow(c + 6 * ldc, c60, c61, accumulate);
        StoreRow(c + 7 * ldc, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 = Vector512.Load(c) + v0;
            v1 = Vector512.Load(c + 16) + v1;
        }

        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }
}
