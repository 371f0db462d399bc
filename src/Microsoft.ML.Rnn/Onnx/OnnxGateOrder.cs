namespace Microsoft.ML.Rnn;

/// <summary>
/// Where each of ONNX's gate blocks comes from in PyTorch's (and so this package's) parameter layout. PyTorch stacks an
/// LSTM's gates as i, f, g, o and a GRU's as r, z, n; ONNX's <c>LSTM</c> wants i, o, f, c and its <c>GRU</c> z, r, h.
/// The gates themselves compute the same thing: g and c are the cell candidate, n and h the new gate (with
/// <c>linear_before_reset = 1</c>, as PyTorch applies r after the recurrent product and its bias).
/// </summary>
internal static class OnnxGateOrder
{
    /// <summary>For each ONNX gate block, the index of the PyTorch block that fills it.</summary>
    public static int[] PyTorchBlocks(RnnCellType cell) => cell switch
    {
        RnnCellType.Rnn => [0],
        RnnCellType.Lstm => [0, 3, 1, 2], // i, o, f, c ← i, f, g, o
        RnnCellType.Gru => [1, 0, 2], // z, r, h ← r, z, n
        _ => throw RnnOnnxSupport.Refuse($"cell {cell}"),
    };

    /// <summary>
    /// Copies a PyTorch tensor of <c>blocks.Length</c> gate blocks of <paramref name="blockLength"/> values each (a weight
    /// <c>[gates·hidden, width]</c> row-major, or a bias) into <paramref name="destination"/> in ONNX's gate order.
    /// </summary>
    public static void Reorder(ReadOnlySpan<float> pyTorch, int[] blocks, int blockLength, Span<float> destination)
    {
        for (int onnx = 0; onnx < blocks.Length; onnx++)
            pyTorch.Slice(blocks[onnx] * blockLength, blockLength).CopyTo(destination.Slice(onnx * blockLength, blockLength));
    }
}
