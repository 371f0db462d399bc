namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One forward layer of a network, stepped one time step at a time with only its current state kept: the memory of
/// <see cref="RecurrentDirection{TCell}"/>'s step-by-step pass without its per-step buffers (which grow with the
/// steps, for the backward pass).
/// </summary>
internal abstract class StreamingLayer
{
    /// <summary>The layer's input projection (its rounding decides bit-identity with the whole-sequence pass).</summary>
    public abstract RowProjection Projection { get; }

    /// <summary>The hidden state after the last step, <c>[hidden]</c>: the layer's output at that step.</summary>
    public abstract Span<float> Hidden { get; }

    /// <summary>LSTM: the cell state after the last step, <c>[hidden]</c>; empty for other cells.</summary>
    public abstract Span<float> Cell { get; }

    /// <summary>Back to the zero state.</summary>
    public abstract void Reset();

    /// <summary>Runs one step on <paramref name="input"/> (the layer's input width), its input projection rounded as <paramref name="rounding"/>.</summary>
    public abstract void Step(ReadOnlySpan<float> input, ProjectionRounding rounding);

    /// <summary>Layer <paramref name="layer"/> (forward direction) of <paramref name="network"/>.</summary>
    public static StreamingLayer Create(RnnNetwork network, int layer) => network.Shape.Cell switch
    {
        RnnCellType.Rnn => new StreamingLayer<ElmanCell>(network, layer),
        RnnCellType.Lstm => new StreamingLayer<LstmCell>(network, layer),
        RnnCellType.Gru => new StreamingLayer<GruCell>(network, layer),
        _ => throw new ArgumentOutOfRangeException(nameof(network), network.Shape.Cell, "Not a defined cell."),
    };
}

/// <summary>A <see cref="StreamingLayer"/> of cell <typeparamref name="TCell"/>: the same calls, in the same order, as
/// <see cref="RecurrentDirection{TCell}"/>'s forward step on a batch of one.</summary>
internal sealed class StreamingLayer<TCell> : StreamingLayer
    where TCell : struct, IRecurrentCell
{
    private static readonly int[] OneActiveRow = [1];
    private readonly float[] _parameters;
    private readonly RecurrentParameters _tensors;
    private readonly RnnNonlinearity _nonlinearity;
    private readonly int _hidden;
    private readonly float[] _gates;
    private readonly float[] _hiddenGates;
    private readonly float[] _tanhCell;
    private float[] _h;
    private float[] _hNext;
    private float[] _c;
    private float[] _cNext;

    public StreamingLayer(RnnNetwork network, int layer)
    {
        _parameters = network.Values;
        _tensors = network.Layout.RecurrentLayers[layer, 0];
        _nonlinearity = network.Shape.Nonlinearity;
        _hidden = network.Shape.HiddenSize;
        int gateWidth = TCell.GateCount * _hidden;
        Projection = new RowProjection(_parameters, 0, _tensors.InputWeight);
        _gates = new float[gateWidth];
        _hiddenGates = new float[gateWidth];
        _h = new float[_hidden];
        _hNext = new float[_hidden];
        _c = TCell.HasCellState ? new float[_hidden] : [];
        _cNext = TCell.HasCellState ? new float[_hidden] : [];
        _tanhCell = TCell.HasCellState ? new float[_hidden] : [];
    }

    public override RowProjection Projection { get; }

    public override Span<float> Hidden => _h;

    public override Span<float> Cell => _c;

    public override void Reset()
    {
        _h.AsSpan().Clear();
        _c.AsSpan().Clear();
    }

    public override void Step(ReadOnlySpan<float> input, ProjectionRounding rounding)
    {
        ReadOnlySpan<float> parameters = _parameters;
        int hidden = _hidden, gateWidth = _gates.Length;
        Span<float> gates = _gates;
        Projection.Project(input, rounding, gates);
        RowVectors.AddToEveryRow(gates, _tensors.InputBias.In(parameters), TCell.KeepsRecurrentProduct ? default : _tensors.HiddenBias.In(parameters));

        Span<float> hiddenGates = _hiddenGates;
        Gemm.MultiplyTransposedB(1, gateWidth, hidden, _h, hidden, _tensors.HiddenWeight.In(parameters), hidden, hiddenGates, gateWidth, accumulate: false);
        if (TCell.KeepsRecurrentProduct)
            RowVectors.AddToEveryRow(hiddenGates, _tensors.HiddenBias.In(parameters));

        var step = new CellStep
        {
            Batch = 1,
            Hidden = hidden,
            Time = 0,
            Lengths = OneActiveRow,
            Nonlinearity = _nonlinearity,
            Gates = gates,
            HiddenGates = hiddenGates,
            HPrev = _h,
            H = _hNext,
        };
        if (TCell.HasCellState)
        {
            step.CPrev = _c;
            step.C = _cNext;
            step.TanhC = _tanhCell;
        }

        TCell.Forward(ref step);
        (_h, _hNext) = (_hNext, _h);
        if (TCell.HasCellState)
            (_c, _cNext) = (_cNext, _c);
    }
}
