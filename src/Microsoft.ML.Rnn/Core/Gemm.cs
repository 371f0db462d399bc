namespace Microsoft.ML.Rnn.Core;

/// <summary>Single-precision matrix product on row-major spans.</summary>
public static class Gemm
{
}
