using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Rnn.Core;

/// <summary>Which micro-kernel family the GEMM runs.</summary>
internal enum GemmInstructionSet
{
    /// <summary><see cref="System.Numerics.Vector{T}"/> kernels and scalar packing: runs on any machine.</summary>
    Portable,

    /// <summary>Vector256 FMA kernels (x64 with AVX2 and FMA).</summary>
    Avx2,

    /// <summary>Vector512 FMA kernels (x64 with AVX-512F where the runtime accelerates Vector512).</summary>
    Avx512,
}

/// <summary>Detects the best instruction set once; tests can force another one on their thread.</summary>
internal static class GemmInstructionSets
{
    /// <summary>The best instruction set this machine and runtime support.</summary>
    public static GemmInstructionSet Best { get; } = Detect();

    // Thread-static so a test forcing the portable path never changes what other threads run.
    [ThreadStatic]
    private static GemmInstructionSet? t_forced;

    /// <summary>
    /// Forces the instruction set for GEMM calls made on the current thread (work handed to other
    /// threads follows the caller's choice). <c>null</c> restores <see cref="Best"/>.
    /// A set the machine lacks falls back to <see cref="Best"/> when the call runs.
    /// </summary>
    public static GemmInstructionSet? ForcedOnCurrentThread
    {
        get => t_forced;
        set => t_forced = value;
    }

    /// <summary>The instruction set a GEMM call on this thread uses now.</summary>
    public static GemmInstructionSet Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_forced is { } forced && forced <= Best ? forced : Best;
    }

    private static GemmInstructionSet Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return GemmInstructionSet.Avx512;
        }

        if (Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported)
        {
            return GemmInstructionSet.Avx2;
        }

        return GemmInstructionSet.Portable;
    }
}
