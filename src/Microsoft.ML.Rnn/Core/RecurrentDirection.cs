using System.Numerics.Tensors;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One layer in one direction, run through time forwards and back. The input projection of every step is one GEMM
/// before the time loop; only the recurrent product stays inside it. In backward, the weight gradients are one GEMM
/// each over all steps after the loop.
/// </summary>
/// <remarks>
/// <para>
/// Buffers are time-major. States live in <c>T + 1</c> slots so that the previous states of all steps, in time order,
/// are one contiguous block: forwards, step t reads slot t and writes slot t + 1; backwards, it reads slot t + 1 and
/// writes slot t. A step past a sequence's end carries the state through, so slot T (forwards) or slot 0 (backwards)
/// holds each sequence's own final state.
/// </para>
/// <para>
/// Within a step every batch row is independent: the recurrent product, the cell and the state update of a row
/// need only that row. With several threads and enough work, each step is therefore one parallel job over blocks
/// of rows (product and cell together, one hand-off per step); otherwise the step runs on the calling thread.
/// The per-step products are written into their own buffers, never accumulated into a buffer that is read too:
/// a thread that reads and writes its rows of a shared buffer makes the hardware prefetcher pull in the other
/// thread's rows (measured: a split step product took 42 µs accumulating, 29 µs writing, 45 µs unsplit).
/// </para>
/// </remarks>
internal sealed class RecurrentDirection
{
    /// <summary>Fewest batch rows per thread when a step is split: fewer would starve the GEMM's register tiles.</summary>
    private const int MinRowsPerPart = 8;

    /// <summary>
    /// Fewest multiply-adds in a step's recurrent product (batch × gates·hidden × hidden) before the step is split.
    /// Measured on the 2-core benchmark machine: an Elman step of batch 64 × 128 × 128 (2^20) ran no faster on two
    /// threads, LSTM and GRU steps at hidden 128 (2^21.6, 2^22) 1.2–1.4× faster.
    /// </summary>
    private const long MinStepWorkToSplit = 1L << 21;

    /// <summary>
    /// Fewest elements in W_hh (gates·hidden × hidden) before the weight-gradient products are split over threads.
    /// They read every step's gate gradients and states, which the calling thread has just written: a second
    /// thread first has to fetch them from the other core, which pays only when there is enough arithmetic per
    /// byte (measured: Elman at hidden 128, 2^14 elements, trained slower on two threads; LSTM and GRU gained).
    /// </summary>
    private const long MinWeightGradientToSplit = 1L << 15;

    private readonly RnnNetworkShape _shape;
    private readonly RecurrentParameters _parameters;
    private readonly int _inputWidth;
    private readonly int _direction;
    private float[] _gates = [];
    private float[] _hiddenGates = [];
    private float[] _stepHiddenGates = [];
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
    private int StateSize => _batch * Hidden;

    /// <summary>The state after each sequence's last real step, [batch, hidden].</summary>
    public ReadOnlySpan<float> FinalHidden => _states.AsSpan(FinalSlot * StateSize, StateSize);

    /// <summary>LSTM: the cell state after each sequence's last real step, [batch, hidden].</summary>
    public ReadOnlySpan<float> FinalCell => _cells.AsSpan(FinalSlot * StateSize, StateSize);

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
        if (IsGru)
            Buffers.Ensure(ref _hiddenGates, rows * gateWidth);
        else
            Buffers.Ensure(ref _stepHiddenGates, batch * gateWidth);
        Span<float> states = Buffers.Ensure(ref _states, (steps + 1) * batch * hidden);
        Span<float> cells = IsLstm ? Buffers.Ensure(ref _cells, (steps + 1) * batch * hidden) : default;
        if (IsLstm)
            Buffers.Ensure(ref _tanhCells, rows * hidden);

        Gemm.MultiplyTransposedB(rows, gateWidth, _inputWidth, input, _inputWidth, _parameters.InputWeight.In(parameters), _inputWidth, gates, gateWidth, accumulate: false, threads);
        RowVectors.AddToEveryRow(gates, _parameters.InputBias.In(parameters), IsGru ? default : _parameters.HiddenBias.In(parameters));

        int initialSlot = Reverse ? steps : 0;
        CopyOrClear(initialHidden, states.Slice(initialSlot * StateSize, StateSize));
        if (IsLstm)
            CopyOrClear(initialCell, cells.Slice(initialSlot * StateSize, StateSize));

        int parts = StepParts(threads);
        for (int p = 0; p < steps; p++)
        {
            var work = new ForwardStepWork(this, parameters, lengths, Reverse ? steps - 1 - p : p, layerOutput);
            if (parts > 1)
                ParallelWorkers.Run(ref work, parts, parts);
            else
                work.Execute(0, 1);
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
        int steps = _steps, hidden = Hidden, gateWidth = GateWidth, rows = steps * _batch;
        Span<float> dGates = Buffers.Ensure(ref scratch.DGates, rows * gateWidth);
        Span<float> dHiddenGates = IsGru ? Buffers.Ensure(ref scratch.DHiddenGates, rows * gateWidth) : dGates;
        Buffers.Ensure(ref scratch.DH, StateSize);
        Span<float> dhCarry = Buffers.Ensure(ref scratch.DHCarry, StateSize);
        Buffers.Ensure(ref scratch.DHDirect, StateSize);
        CopyOrClear(dFinalHidden, dhCarry);
        if (IsLstm)
            Buffers.Ensure(ref scratch.DC, StateSize).Clear();

        int parts = StepParts(threads);
        for (int p = steps - 1; p >= 0; p--)
        {
            var work = new BackwardStepWork(this, parameters, lengths, Reverse ? steps - 1 - p : p, dLayerOutput, scratch);
            if (parts > 1)
                ParallelWorkers.Run(ref work, parts, parts);
            else
                work.Execute(0, 1);
        }

        // Weight gradients over all steps at once: dW_ih = dGᵀ·X, dW_hh = dGᵀ·H_prev (previous states in time order).
        ReadOnlySpan<float> previousStates = _states.AsSpan(Reverse ? StateSize : 0, rows * hidden);
        int gradientThreads = (long)gateWidth * hidden >= MinWeightGradientToSplit ? threads : 1;
        Gemm.MultiplyTransposedA(gateWidth, _inputWidth, rows, dGates, gateWidth, input, _inputWidth, _parameters.InputWeight.In(gradients), _inputWidth, accumulate: false, gradientThreads);
        Gemm.MultiplyTransposedA(gateWidth, hidden, rows, dHiddenGates, gateWidth, previousStates, hidden, _parameters.HiddenWeight.In(gradients), hidden, accumulate: false, gradientThreads);
        RowVectors.SumRows(dGates, _parameters.InputBias.In(gradients));
        RowVectors.SumRows(dHiddenGates, _parameters.HiddenBias.In(gradients));
        if (!dInput.IsEmpty)
            Gemm.Multiply(rows, _inputWidth, gateWidth, dGates, gateWidth, _parameters.InputWeight.In(parameters), _inputWidth, dInput, _inputWidth, accumulateInputGradient, threads);
    }

    /// <summary>How many blocks of rows a step is split into: 1 unless threads and the step's work make splitting pay.</summary>
    private int StepParts(int threads)
    {
        long work = (long)_batch * GateWidth * Hidden;
        if (threads <= 1 || work < MinStepWorkToSplit)
            return 1;
        return Math.Max(1, Math.Min(Math.Min(threads, ParallelWorkers.MaxParallelism), _batch / MinRowsPerPart));
    }

    /// <summary>Rows [first, end) of forward step t: recurrent product, cell, layer output.</summary>
    private void ForwardRows(ReadOnlySpan<float> parameters, ReadOnlySpan<int> lengths, int t, Span<float> layerOutput, int first, int end)
    {
        int batch = _batch, hidden = Hidden, gateWidth = GateWidth, count = end - first;
        int previousSlot = Reverse ? t + 1 : t, outputSlot = Reverse ? t : t + 1;
        int gateOffset = (t * batch + first) * gateWidth;
        ReadOnlySpan<float> hiddenWeight = _parameters.HiddenWeight.In(parameters);
        ReadOnlySpan<float> hPrev = _states.AsSpan((previousSlot * batch + first) * hidden, count * hidden);
        var step = new CellStep
        {
            Batch = count,
            Hidden = hidden,
            Time = t,
            Lengths = lengths[first..end],
            Gates = _gates.AsSpan(gateOffset, count * gateWidth),
            HPrev = hPrev,
            H = _states.AsSpan((outputSlot * batch + first) * hidden, count * hidden),
        };

        Span<float> hiddenGates = IsGru
            ? _hiddenGates.AsSpan(gateOffset, count * gateWidth)
            : _stepHiddenGates.AsSpan(first * gateWidth, count * gateWidth);
        Gemm.MultiplyTransposedB(count, gateWidth, hidden, hPrev, hidden, hiddenWeight, hidden, hiddenGates, gateWidth, accumulate: false);
        step.HiddenGates = hiddenGates;
        switch (_shape.Cell)
        {
            case RnnCellType.Gru:
                RowVectors.AddToEveryRow(hiddenGates, _parameters.HiddenBias.In(parameters));
                GruCell.Forward(ref step);
                break;
            case RnnCellType.Lstm:
                step.CPrev = _cells.AsSpan((previousSlot * batch + first) * hidden, count * hidden);
                step.C = _cells.AsSpan((outputSlot * batch + first) * hidden, count * hidden);
                step.TanhC = _tanhCells.AsSpan((t * batch + first) * hidden, count * hidden);
                LstmCell.Forward(ref step);
                break;
            default:
                ElmanCell.Forward(ref step, _shape.Nonlinearity);
                break;
        }

        int width = _shape.TopWidth;
        for (int row = first; row < end; row++)
        {
            Span<float> target = layerOutput.Slice((t * batch + row) * width + _direction * hidden, hidden);
            if (t < lengths[row])
                step.H.Slice((row - first) * hidden, hidden).CopyTo(target);
            else
                target.Clear();
        }
    }

    /// <summary>Rows [first, end) of backward step t: gather dh, cell backward, dh_prev = dG·W_hh (+ the direct part).</summary>
    private void BackwardRows(ReadOnlySpan<float> parameters, ReadOnlySpan<int> lengths, int t, ReadOnlySpan<float> dLayerOutput,
        BackwardScratch scratch, int first, int end)
    {
        int batch = _batch, hidden = Hidden, gateWidth = GateWidth, count = end - first, width = _shape.TopWidth;
        int previousSlot = Reverse ? t + 1 : t;
        int gateOffset = (t * batch + first) * gateWidth;
        Span<float> dh = scratch.DH.AsSpan(first * hidden, count * hidden);
        Span<float> dhCarry = scratch.DHCarry.AsSpan(first * hidden, count * hidden);
        dhCarry.CopyTo(dh);
        if (!dLayerOutput.IsEmpty)
            for (int row = first; row < end; row++)
                if (t < lengths[row])
                {
                    Span<float> dhRow = dh.Slice((row - first) * hidden, hidden);
                    TensorPrimitives.Add(dhRow, dLayerOutput.Slice((t * batch + row) * width + _direction * hidden, hidden), dhRow);
                }

        Span<float> dGates = scratch.DGates.AsSpan(gateOffset, count * gateWidth);
        Span<float> dHiddenGates = IsGru ? scratch.DHiddenGates.AsSpan(gateOffset, count * gateWidth) : dGates;
        var step = new CellGradientStep
        {
            Batch = count,
            Hidden = hidden,
            Time = t,
            Lengths = lengths[first..end],
            Gates = _gates.AsSpan(gateOffset, count * gateWidth),
            HPrev = _states.AsSpan((previousSlot * batch + first) * hidden, count * hidden),
            DH = dh,
            DGates = dGates,
            DHiddenGates = dHiddenGates,
            DHPrevDirect = scratch.DHDirect.AsSpan(first * hidden, count * hidden),
        };
        switch (_shape.Cell)
        {
            case RnnCellType.Gru:
                step.HiddenGates = _hiddenGates.AsSpan(gateOffset, count * gateWidth);
                GruCell.Backward(ref step);
                break;
            case RnnCellType.Lstm:
                step.CPrev = _cells.AsSpan((previousSlot * batch + first) * hidden, count * hidden);
                step.TanhC = _tanhCells.AsSpan((t * batch + first) * hidden, count * hidden);
                step.DC = scratch.DC.AsSpan(first * hidden, count * hidden);
                LstmCell.Backward(ref step);
                break;
            default:
                ElmanCell.Backward(ref step, _shape.Nonlinearity);
                break;
        }

        Gemm.Multiply(count, hidden, gateWidth, dHiddenGates, gateWidth, _parameters.HiddenWeight.In(parameters), hidden, dhCarry, hidden, accumulate: false);
        TensorPrimitives.Add(dhCarry, step.DHPrevDirect, dhCarry);
    }

    private static void CopyOrClear(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.IsEmpty)
            destination.Clear();
        else
            source.CopyTo(destination);
    }

    /// <summary>One forward step as a job over blocks of batch rows.</summary>
    private readonly ref struct ForwardStepWork(RecurrentDirection direction, ReadOnlySpan<float> parameters, ReadOnlySpan<int> lengths, int t, Span<float> layerOutput)
        : IParallelWork
    {
        private readonly ReadOnlySpan<float> _parameters = parameters;
        private readonly ReadOnlySpan<int> _lengths = lengths;
        private readonly Span<float> _layerOutput = layerOutput;

        public void Execute(int part, int partCount)
        {
            (int first, int end) = ParallelWorkers.PartRange(_lengths.Length, part, partCount);
            direction.ForwardRows(_parameters, _lengths, t, _layerOutput, first, end);
        }
    }

    /// <summary>One backward step as a job over blocks of batch rows.</summary>
    private readonly ref struct BackwardStepWork(RecurrentDirection direction, ReadOnlySpan<float> parameters, ReadOnlySpan<int> lengths, int t,
        ReadOnlySpan<float> dLayerOutput, BackwardScratch scratch) : IParallelWork
    {
        private readonly ReadOnlySpan<float> _parameters = parameters;
        private readonly ReadOnlySpan<int> _lengths = lengths;
        private readonly ReadOnlySpan<float> _dLayerOutput = dLayerOutput;

        public void Execute(int part, int partCount)
        {
            (int first, int end) = ParallelWorkers.PartRange(_lengths.Length, part, partCount);
            direction.BackwardRows(_parameters, _lengths, t, _dLayerOutput, scratch, first, end);
        }
    }
}
