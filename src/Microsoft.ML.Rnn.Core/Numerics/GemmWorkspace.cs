using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Per-thread packing buffers. They only grow, so after the first call of the largest shape a
/// thread never allocates again. Arrays live on the pinned object heap, so the pointers handed
/// out stay valid, and are 64-byte aligned for full-width vector loads.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int AlignmentFloats = 16;

    [ThreadStatic]
    private static GemmWorkspace? t_current;

    private float[]? _packedA;
    private float[]? _packedB;
    private float[]? _rowSums;

    /// <summary>The workspace of the calling thread.</summary>
    public static GemmWorkspace Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ??= new GemmWorkspace();
    }

    /// <summary>At least <paramref name="floats"/> floats for the packed A block.</summary>
    public float* PackedA(int floats) => Get(ref _packedA, floats);

    /// <summary>At least <paramref name="floats"/> floats for the packed B block.</summary>
    public float* PackedB(int floats) => Get(ref _packedB, floats);

    /// <summary>At least <paramref name="floats"/> floats for the row sums of the unpacked row form.</summary>
    public float* RowSums(int floats) => Get(ref _rowSums, floats);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* Get(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + AlignmentFloats)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + AlignmentFloats, pinned: true);
        }

        float* start = (float*)Unsafe.AsPointer(ref buffer[0]);
        nint misalignment = (nint)start & (AlignmentFloats * sizeof(float) - 1);
        return misalignment == 0 ? start : (float*)((byte*)start + (AlignmentFloats * sizeof(float) - misalignment));
    }
}
