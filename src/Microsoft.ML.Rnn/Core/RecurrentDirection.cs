using System.Numerics.Tensors;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One layer in one direction, run through time forwards and back. The input projection of every step is one GEMM
/// before the time loop; only the recurrent product stays inside it. In backward, the weight gradients are one GEMM
/// each over all steps after the loop.
/// </summary>
/// <remarks>
/// Buffers are time-major. States live in <c>T + 1</c> slots so that the previous states of all steps, in time order,
/// are one contiguous block: forwards, step t reads slot t and writes slot t + 1; backwards, it reads slot t + 1 and
/// writes slot t. A step past a sequence's end carries the state through, so slot T (forwards) or slot 0 (backwards)
/// holds each sequence's own final state.
/// </remarks>
internal sealed class RecurrentDirection
{
    private readonly RnnNetworkShape _shape;
    private readonly RecurrentParameters _parameters;
    private readonly int _inputWidth;
    private readonly int _direction;
    private float[] _gates = [];
    private float[] _hiddenGates = [];
    private float[] _states = [];
    private float[] _cells = [];
    private float[] _tanhCells = [];
    private int _steps;
    private int _batch;

    public RecurrentDirection(RnnNetworkShape shape, RecurrentParameters parameters, int inputWidth, int direction)
    {
        _shape = shape;
        _parameters = parameters;
        _inputWidth = inputWidth;
        _direction = direction;
    }

    private bool Reverse => _direction == 1;
    private int Hidden => _shape.HiddenSize;
    private int GateWidth => _shape.GateCount * _shape.HiddenSize;
    private bool IsLstm => _shape.Cell == RnnCellType.Lstm;
    private bool IsGru => _shape.Cell == RnnCellType.Gru;
    private int FinalSlot => Reverse ? 0 : _steps;

    /// <summary>The state after each sequence's last real step, [batch, hidden].</summary>
    public ReadOnlySpan<float> FinalHidden => _states.AsSpan(FinalSlot * _batch * Hidden, _batch * Hidden);

    /// <summary>LSTM: the cell state after each sequence's last real step, [batch, hidden].</summary>
    public ReadOnlySpan<float> FinalCell => _cells.AsSpan(FinalSlot * _batch * Hidden, _batch * Hidden);

    /// <summary>
    /// Runs the direction over <paramref name="input"/> ([steps, batch, inputWidth]) and writes its per-step outputs
    /// into its half of <paramref name="layerOutput"/> ([steps, batch, directions·hidden]; zero past a sequence's end).
    /// </summary>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths, int steps,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, Span<float> layerOutput, int threads)
    {
        int batch = lengths.Length, hidden = Hidden, gateWidth = GateWidth, rows = steps * batch;
        _steps = steps;
        _batch = batch;
        Span<float> gates = Buffers.Ensure(ref _gates, rows * gateWidth);
        Span<float> hiddenGates = IsGru ? Buffers.Ensure(ref _hiddenGates, rows * gateWidth) : default;
        Span<float> states = Buffers.Ensure(ref _states, (steps + 1) * batch * hidden);
        Span<float> cells = IsLstm ? Buffers.Ensure(ref _cells, (steps + 1) * batch * hidden) : default;
        Span<float> tanhCells = IsLstm ? Buffers.Ensure(ref _tanhCells, rows * hidden) : default;

        ReadOnlySpan<float> inputWeight = Slice(parameters, _parameters.InputWeight);
        ReadOnlySpan<float> hiddenWeight = Slice(parameters, _parameters.HiddenWeight);
        ReadOnlySpan<float> inputBias = Slice(parameters, _parameters.InputBias);
        ReadOnlySpan<float> hiddenBias = Slice(parameters, _parameters.HiddenBias);

        Gemm.MultiplyTransposedB(rows, gateWidth, _inputWidth, input, _inputWidth, inputWeight, _inputWidth, gates, gateWidth, accumulate: false, threads);
        for (int row = 0; row < rows; row++)
        {
            Span<float> gateRow = gates.Slice(row * gateWidth, gateWidth);
            TensorPrimitives.Add(gateRow, inputBias, gateRow);
            if (!IsGru)
                TensorPrimitives.Add(gateRow, hiddenBias, gateRow);
        }

        int stateSize = batch * hidden;
        int initialSlot = Reverse ? steps : 0;
        CopyOrClear(initialHidden, states.Slice(initialSlot * stateSize, stateSize));
        if (IsLstm)
            CopyOrClear(initialCell, cells.Slice(initialSlot * stateSize, stateSize));

        for (int p = 0; p < steps; p++)
        {
            int t = Reverse ? steps - 1 - p : p;
            int previousSlot = Reverse ? t + 1 : t, outputSlot = Reverse ? t : t + 1;
            Span<float> stepGates = gates.Slice(t * batch * gateWidth, batch * gateWidth);
            ReadOnlySpan<float> hPrev = states.Slice(previousSlot * stateSize, stateSize);
            var step = new CellStep
            {
                Batch = batch,
                Hidden = hidden,
                Time = t,
                Lengths = lengths,
                Gates = stepGates,
                HPrev = hPrev,
                H = states.Slice(outputSlot * stateSize, stateSize),
            };

            switch (_shape.Cell)
            {
                case RnnCellType.Gru:
                    Span<float> stepHiddenGates = hiddenGates.Slice(t * batch * gateWidth, batch * gateWidth);
                    Gemm.MultiplyTransposedB(batch, gateWidth, hidden, hPrev, hidden, hiddenWeight, hidden, stepHiddenGates, gateWidth, accumulate: false, threads);
                    for (int row = 0; row < batch; row++)
                    {
                        Span<float> gateRow = stepHiddenGates.Slice(row * gateWidth, gateWidth);
                        TensorPrimitives.Add(gateRow, hiddenBias, gateRow);
                    }
                    step.HiddenGates = stepHiddenGates;
                    GruCell.Forward(ref step);
                    break;
                case RnnCellType.Lstm:
                    Gemm.MultiplyTransposedB(batch, gateWidth, hidden, hPrev, hidden, hiddenWeight, hidden, stepGates, gateWidth, accumulate: true, threads);
                    step.CPrev = cells.Slice(previousSlot * stateSize, stateSize);
                    step.C = cells.Slice(outputSlot * stateSize, stateSize);
                    step.TanhC = tanhCells.Slice(t * stateSize, stateSize);
                    LstmCell.Forward(ref step);
                    break;
                default:
                    Gemm.MultiplyTransposedB(batch, gateWidth, hidden, hPrev, hidden, hiddenWeight, hidden, stepGates, gateWidth, accumulate: true, threads);
                    ElmanCell.Forward(ref step, _shape.Nonlinearity);
                    break;
            }

            WriteLayerOutput(step.H, lengths, t, layerOutput.Slice(t * batch * _shape.TopWidth, batch * _shape.TopWidth));
        }
    }

    /// <summary>
    /// Back-propagates through time. <paramref name="dLayerOutput"/> is d loss / d (layer output) ([steps, batch,
    /// directions·hidden]) or empty; <paramref name="dFinalHidden"/> is d loss / d (final state) ([batch, hidden]) or empty.
    /// Writes this direction's parameter gradients into <paramref name="gradients"/> (overwriting) and adds
    /// d loss / d input to <paramref name="dInput"/> ([steps, batch, inputWidth]) — or overwrites it when
    /// <paramref name="accumulateInputGradient"/> is false; an empty <paramref name="dInput"/> skips that product.
    /// </summary>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> dLayerOutput, ReadOnlySpan<float> dFinalHidden, BackwardScratch scratch,
        Span<float> gradients, Span<float> dInput, bool accumulateInputGradient, int threads)
    {
        int steps = _steps, batch = _batch, hidden = Hidden, gateWidth = GateWidth, rows = steps * batch, stateSize = batch * hidden;
        Span<float> dGates = Buffers.Ensure(ref scratch.DGates, rows * gateWidth);
        Span<float> dHiddenGates = IsGru ? Buffers.Ensure(ref scratch.DHiddenGates, rows * gateWidth) : dGates;
        Span<float> dh = Buffers.Ensure(ref scratch.DH, stateSize);
        Span<float> dhCarry = Buffers.Ensure(ref scratch.DHCarry, stateSize);
        Span<float> dc = IsLstm ? Buffers.Ensure(ref scratch.DC, stateSize) : default;
        ReadOnlySpan<float> gates = _gates.AsSpan(0, rows * gateWidth);
        ReadOnlySpan<float> states = _states.AsSpan(0, (steps + 1) * stateSize);
        ReadOnlySpan<float> hiddenWeight = Slice(parameters, _parameters.HiddenWeight);

        CopyOrClear(dFinalHidden, dhCarry);
        dc.Clear();
        int width = _shape.TopWidth;
        for (int p = steps - 1; p >= 0; p--)
        {
            int t = Reverse ? steps - 1 - p : p;
            int previousSlot = Reverse ? t + 1 : t;
            dhCarry.CopyTo(dh);
            if (!dLayerOutput.IsEmpty)
                for (int row = 0; row < batch; row++)
                    if (t < lengths[row])
                    {
                        Span<float> dhRow = dh.Slice(row * hidden, hidden);
                        TensorPrimitives.Add(dhRow, dLayerOutput.Slice((t * batch + row) * width + _direction * hidden, hidden), dhRow);
                    }

            Span<float> stepDHiddenGates = dHiddenGates.Slice(t * batch * gateWidth, batch * gateWidth);
            var step = new CellGradientStep
            {
                Batch = batch,
                Hidden = hidden,
                Time = t,
                Lengths = lengths,
                Gates = gates.Slice(t * batch * gateWidth, batch * gateWidth),
                HPrev = states.Slice(previousSlot * stateSize, stateSize),
                DH = dh,
                DGates = dGates.Slice(t * batch * gateWidth, batch * gateWidth),
                DHiddenGates = stepDHiddenGates,
                DHPrevDirect = dhCarry,
            };
            switch (_shape.Cell)
            {
                case RnnCellType.Gru:
                    step.HiddenGates = _hiddenGates.AsSpan(t * batch * gateWidth, batch * gateWidth);
                    GruCell.Backward(ref step);
                    break;
                case RnnCellType.Lstm:
                    step.CPrev = _cells.AsSpan(previousSlot * stateSize, stateSize);
                    step.TanhC = _tanhCells.AsSpan(t * stateSize, stateSize);
                    step.DC = dc;
                    LstmCell.Backward(ref step);
                    break;
                default:
                    ElmanCell.Backward(ref step, _shape.Nonlinearity);
                    break;
            }

            Gemm.Multiply(batch, hidden, gateWidth, stepDHiddenGates, gateWidth, hiddenWeight, hidden, dhCarry, hidden, accumulate: true, threads);
        }

        // Weight gradients over all steps at once: dW_ih = dGᵀ·X, dW_hh = dGᵀ·H_prev (previous states in time order).
        ReadOnlySpan<float> previousStates = states.Slice(Reverse ? stateSize : 0, rows * hidden);
        Gemm.MultiplyTransposedA(gateWidth, _inputWidth, rows, dGates, gateWidth, input, _inputWidth, Slice(gradients, _parameters.InputWeight), _inputWidth, accumulate: false, threads);
        Gemm.MultiplyTransposedA(gateWidth, hidden, rows, dHiddenGates, gateWidth, previousStates, hidden, Slice(gradients, _parameters.HiddenWeight), hidden, accumulate: false, threads);
        SumRows(dGates, rows, gateWidth, Slice(gradients, _parameters.InputBias));
        SumRows(dHiddenGates, rows, gateWidth, Slice(gradients, _parameters.HiddenBias));
        if (!dInput.IsEmpty)
            Gemm.Multiply(rows, _inputWidth, gateWidth, dGates, gateWidth, Slice(parameters, _parameters.InputWeight), _inputWidth, dInput, _inputWidth, accumulateInputGradient, threads);
    }

    private void WriteLayerOutput(ReadOnlySpan<float> h, ReadOnlySpan<int> lengths, int t, Span<float> outputStep)
    {
        int hidden = Hidden, width = _shape.TopWidth;
        for (int row = 0; row < lengths.Length; row++)
        {
            Span<float> target = outputStep.Slice(row * width + _direction * hidden, hidden);
            if (t < lengths[row])
                h.Slice(row * hidden, hidden).CopyTo(target);
            else
                target.Clear();
        }
    }

    internal static void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
    {
        sums.Clear();
        for (int row = 0; row < rows; row++)
            TensorPrimitives.Add(sums, matrix.Slice(row * columns, columns), sums);
    }

    private static void CopyOrClear(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.IsEmpty)
            destination.Clear();
        else
            source.CopyTo(destination);
    }

    private static ReadOnlySpan<float> Slice(ReadOnlySpan<float> flat, ParameterTensor tensor) => flat.Slice(tensor.Offset, tensor.Length);

    private static Span<float> Slice(Span<float> flat, ParameterTensor tensor) => flat.Slice(tensor.Offset, tensor.Length);
}
