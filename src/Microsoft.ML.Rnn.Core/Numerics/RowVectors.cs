using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>A vector applied to, or gathered from, every row of a row-major matrix: biases and their gradients.</summary>
internal static class RowVectors
{
    /// <summary>Adds <paramref name="vector"/> (and <paramref name="second"/>, when given, in the same pass) to every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToEveryRow(Span<float> matrix, ReadOnlySpan<float> vector, ReadOnlySpan<float> second = default)
    {
        int columns = vector.Length;
        for (int start = 0; start < matrix.Length; start += columns)
        {
            Span<float> row = matrix.Slice(start, columns);
            Elementwise.Add(row, vector, row);
            if (!second.IsEmpty)
                Elementwise.Add(row, second, row);
        }
    }

    /// <summary>Writes the sum of all rows of a <paramref name="sums"/>-wide matrix into <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(ReadOnlySpan<float> matrix, Span<float> sums)
    {
        sums.Clear();
        for (int start = 0; start < matrix.Length; start += sums.Length)
            Elementwise.Add(sums, matrix.Slice(start, sums.Length), sums);
    }
}
