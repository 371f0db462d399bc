namespace Microsoft.ML.Rnn.Core;

/// <summary>Single-precision matrix products on row-major spans (placeholder until the SIMD kernels land).</summary>
public static class Gemm
{
    /// <summary>C = A·Bᵀ (+ C when <paramref name="accumulate"/>); A is m×k, B is n×k.</summary>
    public static void MultiplyTransposedB(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * lda + p] * b[j * ldb + p];
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
    }

    /// <summary>C = A·B (+ C when <paramref name="accumulate"/>); A is m×k, B is k×n.</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * lda + p] * b[p * ldb + j];
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
    }

    /// <summary>C = Aᵀ·B (+ C when <paramref name="accumulate"/>); A is k×m, B is k×n.</summary>
    public static void MultiplyTransposedA(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads = 1)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++) sum += a[p * lda + i] * b[p * ldb + j];
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
    }
}
