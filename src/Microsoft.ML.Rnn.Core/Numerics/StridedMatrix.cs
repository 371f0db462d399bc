namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A float matrix seen through two strides: element (row, col) lives at
/// <c>Data[row * RowStride + col * ColStride]</c>. One of the strides is 1 in every use, so a
/// transposed operand is the same memory with the strides swapped, and the GEMM drivers need
/// no separate code per transposition.
/// </summary>
internal readonly unsafe struct StridedMatrix
{
    public readonly float* Data;
    public readonly nint RowStride;
    public readonly nint ColStride;

    public StridedMatrix(float* data, nint rowStride, nint colStride)
    {
        Data = data;
        RowStride = rowStride;
        ColStride = colStride;
    }

    public float* At(nint row, nint col) => Data + row * RowStride + col * ColStride;

    public StridedMatrix Transposed => new(Data, ColStride, RowStride);

    public StridedMatrix Offset(nint row, nint col) => new(At(row, col), RowStride, ColStride);
}
