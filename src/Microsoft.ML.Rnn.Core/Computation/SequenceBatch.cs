using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A batch of sequences, batch-first as PyTorch's <c>batch_first=True</c>: <c>[batch, steps, inputSize]</c>,
/// each sequence padded after its own length. Padded values are never read.
/// </summary>
public readonly ref struct SequenceBatch
{
    /// <summary>Wraps caller-owned buffers; nothing is copied.</summary>
    /// <param name="inputs">Values, <c>[batch, steps, inputSize]</c> row-major.</param>
    /// <param name="lengths">Each sequence's number of real steps, 1 to <paramref name="steps"/>; the batch size is its length.</param>
    /// <param name="steps">The padded length of every sequence.</param>
    public SequenceBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> lengths, int steps)
    {
        Inputs = inputs;
        Lengths = lengths;
        Steps = steps;
    }

    /// <summary>Values, <c>[batch, steps, inputSize]</c>.</summary>
    public ReadOnlySpan<float> Inputs { get; }

    /// <summary>Each sequence's number of real steps.</summary>
    public ReadOnlySpan<int> Lengths { get; }

    /// <summary>The padded length of every sequence.</summary>
    public int Steps { get; }

    /// <summary>Number of sequences.</summary>
    public int BatchSize => Lengths.Length;

    /// <summary>Throws an <see cref="ArgumentException"/> saying what does not fit a network with <paramref name="inputSize"/> features per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Validate(int inputSize)
    {
        if (Lengths.IsEmpty)
            throw new ArgumentException("The batch is empty: expected at least one sequence length.", "lengths");
        if (Steps < 1 || Steps > RnnNetworkShape.MaxDimension)
            throw new ArgumentException($"Steps is {Steps}; expected 1 to {RnnNetworkShape.MaxDimension}.", "steps");
        long expected = (long)BatchSize * Steps * inputSize;
        if (Inputs.Length != expected)
            throw new ArgumentException(
                $"The inputs hold {Inputs.Length} values; expected batch {BatchSize} × steps {Steps} × input size {inputSize} = {expected}.", "inputs");
        for (int row = 0; row < Lengths.Length; row++)
            if (Lengths[row] < 1 || Lengths[row] > Steps)
                throw new ArgumentException($"Sequence {row} has length {Lengths[row]}; expected 1 to {Steps} steps.", "lengths");
    }
}
