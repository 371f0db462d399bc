namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A register-blocked micro-kernel: computes one Mr×Nr tile of C from a packed A panel
/// (for each k, Mr consecutive floats) and a B panel (for each k, Nr consecutive floats, rows
/// <c>ldb</c> apart), summing over k in order with one fused multiply-add per term.
/// Every kernel does exactly that per element, so a tile's values do not depend on where the
/// tile sits in C, nor on how the work was split over threads.
/// </summary>
/// <remarks>
/// Static abstract members let the blocked driver be specialised per kernel by the JIT, with the
/// tile sizes folded to constants.
/// </remarks>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile (broadcast from A).</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of the register tile (vector loads from B).</summary>
    static abstract int Nr { get; }

    /// <summary>Depth of a packed block; a B panel of Kc×Nr floats should stay in L1.</summary>
    static abstract int Kc { get; }

    /// <summary>Rows of A packed at once; Mc×Kc floats should stay in L2.</summary>
    static abstract int Mc { get; }

    /// <summary>Columns of B packed at once.</summary>
    static abstract int Nc { get; }

    /// <summary>
    /// C[r, j] = (accumulate ? C[r, j] : 0) + Σ_p a[p·Mr + r] · b[p·ldb + j] for the full tile.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate);
}
