using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The registration of cells: the one place that maps <see cref="RnnCellType"/> to a cell.</summary>
internal static class RecurrentCells
{
    private static readonly CellDescription Elman = CellDescription.Of<ElmanCell>();
    private static readonly CellDescription Lstm = CellDescription.Of<LstmCell>();
    private static readonly CellDescription Gru = CellDescription.Of<GruCell>();

    /// <summary>The cell of <paramref name="cell"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cell"/> is not a defined <see cref="RnnCellType"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CellDescription Describe(RnnCellType cell) => cell switch
    {
        RnnCellType.Rnn => Elman,
        RnnCellType.Lstm => Lstm,
        RnnCellType.Gru => Gru,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, $"Cell is {(int)cell}, which is not a defined {nameof(RnnCellType)}."),
    };
}
