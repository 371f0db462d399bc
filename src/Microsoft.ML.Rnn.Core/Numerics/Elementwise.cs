using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Element-wise sums inside the per-step loops. <c>TensorPrimitives.Add</c> computes the same values, but its generic
/// helpers start as unoptimised tier-0 code and, in a process whose JIT stays busy (a user's first <c>Fit</c>), stay
/// so for seconds; this loop is compiled optimised at its first call, as the loops that call it are.
/// </summary>
internal static class Elementwise
{
    /// <summary><paramref name="destination"/>[i] = <paramref name="x"/>[i] + <paramref name="y"/>[i]; the spans are of equal length (the destination may be <paramref name="x"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        int length = destination.Length;
        if (x.Length != length || y.Length != length)
            throw new ArgumentException($"Add needs spans of one length; got {x.Length}, {y.Length} and {length}.");
        for (int i = 0; i < length; i += Lanes.Width)
            Lanes.Store(Lanes.Load(x, i) + Lanes.Load(y, i), destination, i);
    }
}
