namespace Microsoft.ML.Rnn.Core;

/// <summary>What the rest of the network needs to know of a cell, and how to build a layer direction of it.</summary>
internal sealed class CellDescription
{
    private readonly Func<RnnNetworkShape, RecurrentParameters, int, int, int, RecurrentDirection> _createDirection;

    private CellDescription(int gateCount, bool hasCellState,
        Func<RnnNetworkShape, RecurrentParameters, int, int, int, RecurrentDirection> createDirection)
    {
        GateCount = gateCount;
        HasCellState = hasCellState;
        _createDirection = createDirection;
    }

    /// <inheritdoc cref="IRecurrentCell.GateCount"/>
    public int GateCount { get; }

    /// <inheritdoc cref="IRecurrentCell.HasCellState"/>
    public bool HasCellState { get; }

    /// <summary>Describes <typeparamref name="TCell"/>.</summary>
    public static CellDescription Of<TCell>()
        where TCell : struct, IRecurrentCell =>
        new(TCell.GateCount, TCell.HasCellState,
            (shape, parameters, inputWidth, direction, outputWidth) => new RecurrentDirection<TCell>(shape, parameters, inputWidth, direction, outputWidth));

    /// <summary>One layer in one direction of this cell, writing its outputs into a layer output <paramref name="outputWidth"/> values wide.</summary>
    public RecurrentDirection CreateDirection(RnnNetworkShape shape, RecurrentParameters parameters, int inputWidth, int direction, int outputWidth) =>
        _createDirection(shape, parameters, inputWidth, direction, outputWidth);
}
