using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>Which of the three products a shape runs.</summary>
public enum GemmVariant
{
    /// <summary>C = A·Bᵀ.</summary>
    TransposedB,

    /// <summary>C = A·B.</summary>
    Plain,

    /// <summary>C = Aᵀ·B.</summary>
    TransposedA,
}

/// <summary>One benchmarked product and the operands for it (tight leading dimensions).</summary>
public sealed class GemmShape
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    public GemmShape(string name, GemmVariant variant, int m, int n, int k)
    {
        Name = name;
        Variant = variant;
        M = m;
        N = n;
        K = k;
    }

    /// <summary>The recurrent core's hot shapes (hidden 128, batch 64, 50 steps, 8 inputs), a tutorial one and a big square one.</summary>
    public static GemmShape[] HotShapes { get; } =
    [
        new("step h·Whhᵀ", GemmVariant.TransposedB, 64, 512, 128),
        new("input X·Wihᵀ", GemmVariant.TransposedB, 3200, 512, 8),
        new("dWhh dGᵀ·H", GemmVariant.TransposedA, 512, 128, 3200),
        new("dWih dGᵀ·X", GemmVariant.TransposedA, 512, 8, 3200),
        new("dh dG·Whh", GemmVariant.Plain, 64, 128, 512),
        new("predict Whh·h", GemmVariant.TransposedB, 1, 512, 128),
        new("tutorial", GemmVariant.TransposedB, 2, 5, 3),
        new("square", GemmVariant.Plain, 1024, 1024, 1024),
    ];

    public string Name { get; }

    public GemmVariant Variant { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    /// <summary>Floating-point operations of one product (a multiply and an add per term).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Allocates and fills the operands; call once before timing.</summary>
    public void Prepare()
    {
        var random = new Random(42);
        _a = Random(M * K, random);
        _b = Random(K * N, random);
        _c = new float[M * N];
    }

    /// <summary>Runs the product once.</summary>
    public void Run(int maxThreads)
    {
        switch (Variant)
        {
            case GemmVariant.TransposedB:
                Gemm.MultiplyTransposedB(M, N, K, _a, K, _b, K, _c, N, accumulate: false, maxThreads);
                break;
            case GemmVariant.Plain:
                Gemm.Multiply(M, N, K, _a, K, _b, N, _c, N, accumulate: false, maxThreads);
                break;
            default:
                Gemm.MultiplyTransposedA(M, N, K, _a, M, _b, N, _c, N, accumulate: false, maxThreads);
                break;
        }
    }

    // BenchmarkDotNet shows parameters by ToString.
    public override string ToString() => $"{Name} {Short(Variant)} {M}x{N}x{K}";

    private static string Short(GemmVariant variant) => variant switch
    {
        GemmVariant.TransposedB => "NT",
        GemmVariant.Plain => "NN",
        _ => "TN",
    };

    private static float[] Random(int length, Random random)
    {
        float[] data = new float[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return data;
    }
}
