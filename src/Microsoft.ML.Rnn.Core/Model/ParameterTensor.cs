using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>One named parameter inside a network's flat parameter vector.</summary>
/// <param name="Name">The PyTorch <c>state_dict</c> name, e.g. <c>rnn.weight_ih_l0_reverse</c> or <c>head.bias</c>.</param>
/// <param name="Offset">Where its values start in the flat vector.</param>
/// <param name="Rows">PyTorch's first dimension.</param>
/// <param name="Columns">PyTorch's second dimension, or 1 for a bias vector.</param>
/// <remarks>
/// Sizes are counted in <see cref="long"/>: a shape's count is checked against what one array holds
/// (<see cref="RnnNetworkShape.Validate()"/>) before any vector is laid out, and a count must not wrap around first.
/// </remarks>
internal sealed record ParameterTensor(string Name, long Offset, int Rows, int Columns)
{
    /// <summary>Number of values: rows × columns.</summary>
    public long Length => (long)Rows * Columns;

    /// <summary>The PyTorch shape: <c>[rows, columns]</c> for a matrix, <c>[rows]</c> for a bias.</summary>
    public int[] Shape => IsVector ? [Rows] : [Rows, Columns];

    /// <summary>Whether this is a bias (a vector), not a weight matrix.</summary>
    public bool IsVector { get; init; }

    /// <summary>The fan-in of PyTorch's default initialisation, U(−1/√fan_in, 1/√fan_in).</summary>
    internal int FanIn { get; init; } = 1;

    /// <summary>Whether this belongs to a recurrent layer (which <see cref="RnnInitialization.Normal"/> draws from a normal).</summary>
    internal bool IsRecurrent { get; init; }

    /// <summary>This parameter's values within a flat vector laid out by its <see cref="ParameterLayout"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<float> In(Span<float> flat) => flat.Slice(checked((int)Offset), checked((int)Length));

    /// <inheritdoc cref="In(Span{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ReadOnlySpan<float> In(ReadOnlySpan<float> flat) => flat.Slice(checked((int)Offset), checked((int)Length));
}
