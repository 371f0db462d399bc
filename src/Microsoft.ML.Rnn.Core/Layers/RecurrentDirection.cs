using System.Runtime.CompilerServices;

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
/// A decoder whose next input depends on its last state (attention, its own previous output) runs a forward
/// direction one step at a time instead: <see cref="Begin"/>, then <see cref="Step"/> per step, and backwards
/// <see cref="BeginBackward"/>, <see cref="BackwardStep"/> per step and <see cref="FinishBackward"/>. The whole-sequence
/// passes are the same pieces run in one go.
/// </para>
/// </remarks>
internal abstract class RecurrentDirection
{
    /// <summary>The state after each sequence's last real step, [batch, hidden].</summary>
    public abstract ReadOnlySpan<float> FinalHidden { get; }

    /// <summary>The cell state after each sequence's last real step, [batch, hidden]; cells that have one only.</summary>
    public abstract ReadOnlySpan<float> FinalCell { get; }

    /// <summary>
    /// Runs the direction over <paramref name="input"/> ([steps, batch, inputWidth]) and writes its per-step outputs
    /// into its part of <paramref name="layerOutput"/> ([steps, batch, outputWidth]; zero past a sequence's end).
    /// <paramref name="cancellation"/> is checked at every step and inside the input projection. <paramref name="sequenceRows"/>:
    /// 0 for a pass that may train; for a forward-only, row-invariant pass, the steps each sequence contributes to the input
    /// projection (<see cref="GemmDispatcher.VaryingRows"/> when lengths vary), see <see cref="GemmProblem.SequenceRows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public abstract void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths, int steps,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, Span<float> layerOutput, int threads, CancellationToken cancellation,
        int sequenceRows);

    /// <summary>
    /// Back-propagates through time. <paramref name="dLayerOutput"/> is d loss / d (layer output) ([steps, batch,
    /// outputWidth]) or empty; <paramref name="dFinalHidden"/> and <paramref name="dFinalCell"/> are d loss / d (final
    /// state) ([batch, hidden]) or empty. Writes this direction's parameter gradients into <paramref name="gradients"/>
    /// (overwriting) and adds d loss / d input to <paramref name="dInput"/> ([steps, batch, inputWidth]) — or overwrites
    /// it when <paramref name="accumulateInputGradient"/> is false; an empty <paramref name="dInput"/> skips that product.
    /// Afterwards <paramref name="scratch"/> holds d loss / d (initial state) (<see cref="InitialHiddenGradient"/>).
    /// <paramref name="cancellation"/> is checked at every step and inside the products over all steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public abstract void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> dLayerOutput, ReadOnlySpan<float> dFinalHidden, ReadOnlySpan<float> dFinalCell, BackwardScratch scratch,
        Span<float> gradients, Span<float> dInput, bool accumulateInputGradient, int threads, CancellationToken cancellation);

    /// <summary>
    /// Starts a step-by-step forward pass of <paramref name="steps"/> steps (forward direction only); a
    /// <paramref name="rowInvariant"/> pass rounds each row as it would alone (see <see cref="GemmProblem.SequenceRows"/>).
    /// </summary>
    public abstract void Begin(ReadOnlySpan<int> lengths, int steps, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, bool rowInvariant);

    /// <summary>Runs step <paramref name="t"/> on its input rows <paramref name="stepInput"/> ([batch, inputWidth]).</summary>
    public abstract void Step(ReadOnlySpan<float> parameters, ReadOnlySpan<float> stepInput, int t, Span<float> layerOutput);

    /// <summary>The hidden state before step <paramref name="t"/> of a forward pass, [batch, hidden] (the initial state at t = 0).</summary>
    public abstract ReadOnlySpan<float> HiddenBefore(int t);

    /// <summary>Starts a step-by-step backward pass with d loss / d (final state) (either may be empty for zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public abstract void BeginBackward(ReadOnlySpan<float> dFinalHidden, ReadOnlySpan<float> dFinalCell, BackwardScratch scratch);

    /// <summary>
    /// Back-propagates step <paramref name="t"/> with d loss / d (layer output) (<paramref name="dLayerOutput"/>, all
    /// steps, or empty) and, when <paramref name="dStepInput"/> is not empty, writes d loss / d (this step's input) there
    /// ([batch, inputWidth]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public abstract void BackwardStep(ReadOnlySpan<float> parameters, int t, ReadOnlySpan<float> dLayerOutput, BackwardScratch scratch, Span<float> dStepInput);

    /// <summary>The weight and bias gradients over all steps, once every step has gone backwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public abstract void FinishBackward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, BackwardScratch scratch, Span<float> gradients,
        int threads, CancellationToken cancellation);

    /// <summary>d loss / d (initial hidden state), [batch, hidden], after a backward pass that used <paramref name="scratch"/>.</summary>
    public ReadOnlySpan<float> InitialHiddenGradient(BackwardScratch scratch, int batch, int hidden) => scratch.DHCarry.AsSpan(0, batch * hidden);

    /// <summary>d loss / d (initial cell state), [batch, hidden]; cells that have one only.</summary>
    public ReadOnlySpan<float> InitialCellGradient(BackwardScratch scratch, int batch, int hidden) => scratch.DC.AsSpan(0, batch * hidden);
}

/// <summary>One layer in one direction of cell <typeparamref name="TCell"/>; the JIT compiles one per cell.</summary>
internal sealed class RecurrentDirection<TCell> : RecurrentDirection
    where TCell : struct, IRecurrentCell
{
    private readonly RnnNetworkShape _shape;
    private readonly RecurrentParameters _parameters;
    private readonly int _inputWidth;
    private readonly int _direction;
    private readonly int _outputWidth;
    private float[] _gates = [];
    private float[] _hiddenGates = [];
    private float[] _stepHiddenGates = [];
    private float[] _states = [];
    private float[] _cells = [];
    private float[] _tanhCells = [];
    private int[] _lengths = [];
    private int _steps;
    private int _batch;
    private bool _rowInvariant;

    /// <param name="shape">The network's shape (hidden size, nonlinearity).</param>
    /// <param name="parameters">Where this direction's four tensors live in the vector its passes get.</param>
    /// <param name="inputWidth">Values per step of its input (may be 0: the gates are then the biases alone).</param>
    /// <param name="direction">0 forwards in time, 1 backwards.</param>
    /// <param name="outputWidth">Values per step of the layer output it writes into (directions × hidden).</param>
    public RecurrentDirection(RnnNetworkShape shape, RecurrentParameters parameters, int inputWidth, int direction, int outputWidth)
    {
        _shape = shape;
        _parameters = parameters;
        _inputWidth = inputWidth;
        _direction = direction;
        _outputWidth = outputWidth;
    }

    private bool Reverse => _direction == 1;
    private int Hidden
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _shape.HiddenSize;
    }
    private int GateWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TCell.GateCount * _shape.HiddenSize;
    }
    private int FinalSlot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Reverse ? 0 : _steps;
    }
    private int StateSize
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _batch * Hidden;
    }
    private ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, _batch);

    public override ReadOnlySpan<float> FinalHidden => _states.AsSpan(FinalSlot * StateSize, StateSize);

    public override ReadOnlySpan<float> FinalCell => _cells.AsSpan(FinalSlot * StateSize, StateSize);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths, int steps,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, Span<float> layerOutput, int threads, CancellationToken cancellation,
        int sequenceRows)
    {
        Prepare(lengths, steps, initialHidden, initialCell, rowInvariant: sequenceRows != 0);
        cancellation.ThrowIfCancellationRequested();
        ProjectInput(parameters, input, 0, steps, threads, cancellation, sequenceRows);

        // One check a step (a volatile read): a long batch stops within a step of being cancelled, not at its end.
        for (int p = 0; p < steps; p++)
        {
            cancellation.ThrowIfCancellationRequested();
            ForwardStep(parameters, Reverse ? steps - 1 - p : p, layerOutput);
        }
    }

    public override void Begin(ReadOnlySpan<int> lengths, int steps, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, bool rowInvariant)
    {
        if (Reverse)
            throw new InvalidOperationException("Only a forward direction runs step by step.");
        Prepare(lengths, steps, initialHidden, initialCell, rowInvariant);
    }

    public override void Step(ReadOnlySpan<float> parameters, ReadOnlySpan<float> stepInput, int t, Span<float> layerOutput)
    {
        ProjectInput(parameters, stepInput, t, 1, threads: 1, CancellationToken.None, _rowInvariant ? 1 : 0);
        ForwardStep(parameters, t, layerOutput);
    }

    public override ReadOnlySpan<float> HiddenBefore(int t) => _states.AsSpan(t * StateSize, StateSize);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> dLayerOutput, ReadOnlySpan<float> dFinalHidden, ReadOnlySpan<float> dFinalCell, BackwardScratch scratch,
        Span<float> gradients, Span<float> dInput, bool accumulateInputGradient, int threads, CancellationToken cancellation)
    {
        int steps = _steps;
        BeginBackward(dFinalHidden, dFinalCell, scratch);
        for (int p = steps - 1; p >= 0; p--)
        {
            cancellation.ThrowIfCancellationRequested();
            BackwardStep(parameters, Reverse ? steps - 1 - p : p, dLayerOutput, scratch, default);
        }

        cancellation.ThrowIfCancellationRequested();
        FinishBackward(parameters, input, scratch, gradients, threads, cancellation);
        if (!dInput.IsEmpty)
            Gemm.Multiply(steps * _batch, _inputWidth, GateWidth, scratch.DGates, GateWidth, _parameters.InputWeight.In(parameters), _inputWidth, dInput, _inputWidth,
                accumulateInputGradient, threads, cancellation);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void BeginBackward(ReadOnlySpan<float> dFinalHidden, ReadOnlySpan<float> dFinalCell, BackwardScratch scratch)
    {
        int rows = _steps * _batch, gateWidth = GateWidth;
        Buffers.Ensure(ref scratch.DGates, rows * gateWidth);
        if (TCell.KeepsRecurrentProduct)
            Buffers.Ensure(ref scratch.DHiddenGates, rows * gateWidth);
        Buffers.Ensure(ref scratch.DH, StateSize);
        CopyOrClear(dFinalHidden, Buffers.Ensure(ref scratch.DHCarry, StateSize));
        Buffers.Ensure(ref scratch.DHDirect, StateSize);
        if (TCell.HasCellState)
            CopyOrClear(dFinalCell, Buffers.Ensure(ref scratch.DC, StateSize));
    }

    /// <summary>Backward step t: gather dh, cell backward, dh_prev = dG·W_hh (+ the direct part).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void BackwardStep(ReadOnlySpan<float> parameters, int t, ReadOnlySpan<float> dLayerOutput, BackwardScratch scratch, Span<float> dStepInput)
    {
        int batch = _batch, hidden = Hidden, gateWidth = GateWidth, width = _outputWidth;
        ReadOnlySpan<int> lengths = Lengths;
        int previousSlot = Reverse ? t + 1 : t;
        int gateOffset = t * batch * gateWidth;
        Span<float> dh = scratch.DH.AsSpan(0, StateSize);
        Span<float> dhCarry = scratch.DHCarry.AsSpan(0, StateSize);
        dhCarry.CopyTo(dh);
        if (!dLayerOutput.IsEmpty)
            for (int row = 0; row < batch; row++)
                if (t < lengths[row])
                {
                    Span<float> dhRow = dh.Slice(row * hidden, hidden);
                    Elementwise.Add(dhRow, dLayerOutput.Slice((t * batch + row) * width + _direction * hidden, hidden), dhRow);
                }

        Span<float> dGates = scratch.DGates.AsSpan(gateOffset, batch * gateWidth);
        Span<float> dHiddenGates = TCell.KeepsRecurrentProduct ? scratch.DHiddenGates.AsSpan(gateOffset, batch * gateWidth) : dGates;
        var step = new CellGradientStep
        {
            Batch = batch,
            Hidden = hidden,
            Time = t,
            Lengths = lengths,
            Nonlinearity = _shape.Nonlinearity,
            Gates = _gates.AsSpan(gateOffset, batch * gateWidth),
            HPrev = _states.AsSpan(previousSlot * StateSize, StateSize),
            DH = dh,
            DGates = dGates,
            DHiddenGates = dHiddenGates,
            DHPrevDirect = scratch.DHDirect.AsSpan(0, StateSize),
        };
        if (TCell.KeepsRecurrentProduct)
            step.HiddenGates = _hiddenGates.AsSpan(gateOffset, batch * gateWidth);
        if (TCell.HasCellState)
        {
            step.CPrev = _cells.AsSpan(previousSlot * StateSize, StateSize);
            step.TanhC = _tanhCells.AsSpan(t * StateSize, StateSize);
            step.DC = scratch.DC.AsSpan(0, StateSize);
        }

        TCell.Backward(ref step);

        Gemm.Multiply(batch, hidden, gateWidth, dHiddenGates, gateWidth, _parameters.HiddenWeight.In(parameters), hidden, dhCarry, hidden, accumulate: false);
        Elementwise.Add(dhCarry, step.DHPrevDirect, dhCarry);
        if (!dStepInput.IsEmpty)
        {
            if (_inputWidth > 0)
                Gemm.Multiply(batch, _inputWidth, gateWidth, dGates, gateWidth, _parameters.InputWeight.In(parameters), _inputWidth, dStepInput, _inputWidth, accumulate: false);
            else
                dStepInput.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void FinishBackward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, BackwardScratch scratch, Span<float> gradients,
        int threads, CancellationToken cancellation)
    {
        int hidden = Hidden, gateWidth = GateWidth, rows = _steps * _batch;
        ReadOnlySpan<float> dGates = scratch.DGates.AsSpan(0, rows * gateWidth);
        ReadOnlySpan<float> dHiddenGates = TCell.KeepsRecurrentProduct ? scratch.DHiddenGates.AsSpan(0, rows * gateWidth) : dGates;

        // Weight gradients over all steps at once: dW_ih = dGᵀ·X, dW_hh = dGᵀ·H_prev (previous states in time order).
        // Like the input projection, these can take longer than a cancellation may wait, so they check the token.
        ReadOnlySpan<float> previousStates = _states.AsSpan(Reverse ? StateSize : 0, rows * hidden);
        if (_inputWidth > 0)
            Gemm.MultiplyTransposedA(gateWidth, _inputWidth, rows, dGates, gateWidth, input, _inputWidth, _parameters.InputWeight.In(gradients), _inputWidth, accumulate: false, threads,
                cancellation);
        Gemm.MultiplyTransposedA(gateWidth, hidden, rows, dHiddenGates, gateWidth, previousStates, hidden, _parameters.HiddenWeight.In(gradients), hidden, accumulate: false, threads,
            cancellation);
        RowVectors.SumRows(dGates, _parameters.InputBias.In(gradients));
        if (TCell.KeepsRecurrentProduct)
            RowVectors.SumRows(dHiddenGates, _parameters.HiddenBias.In(gradients));
        else
            _parameters.InputBias.In(gradients).CopyTo(_parameters.HiddenBias.In(gradients)); // b_ih and b_hh add up: one gradient
    }

    /// <summary>Sizes the buffers for <paramref name="steps"/> steps of this batch and places the initial states.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Prepare(ReadOnlySpan<int> lengths, int steps, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, bool rowInvariant)
    {
        int batch = lengths.Length, hidden = Hidden, gateWidth = GateWidth, rows = steps * batch;
        _steps = steps;
        _batch = batch;
        _rowInvariant = rowInvariant;
        lengths.CopyTo(Buffers.Ensure(ref _lengths, batch));
        Buffers.Ensure(ref _gates, rows * gateWidth);
        if (TCell.KeepsRecurrentProduct)
            Buffers.Ensure(ref _hiddenGates, rows * gateWidth);
        else
            Buffers.Ensure(ref _stepHiddenGates, batch * gateWidth);
        Span<float> states = Buffers.Ensure(ref _states, (steps + 1) * batch * hidden);
        Span<float> cells = TCell.HasCellState ? Buffers.Ensure(ref _cells, (steps + 1) * batch * hidden) : default;
        if (TCell.HasCellState)
            Buffers.Ensure(ref _tanhCells, rows * hidden);

        int initialSlot = Reverse ? steps : 0;
        CopyOrClear(initialHidden, states.Slice(initialSlot * StateSize, StateSize));
        if (TCell.HasCellState)
            CopyOrClear(initialCell, cells.Slice(initialSlot * StateSize, StateSize));
    }

    /// <summary>The input projection <c>W_ih x + b_ih</c> (and <c>b_hh</c> where it joins) of steps [first, first + count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProjectInput(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int first, int count, int threads, CancellationToken cancellation,
        int sequenceRows)
    {
        int gateWidth = GateWidth, rows = count * _batch;
        Span<float> gates = _gates.AsSpan(first * _batch * gateWidth, rows * gateWidth);
        if (_inputWidth > 0)
            Gemm.MultiplyTransposedB(rows, gateWidth, _inputWidth, input, _inputWidth, _parameters.InputWeight.In(parameters), _inputWidth, gates, gateWidth, accumulate: false, threads,
                cancellation, sequenceRows);
        else
            gates.Clear();
        RowVectors.AddToEveryRow(gates, _parameters.InputBias.In(parameters), TCell.KeepsRecurrentProduct ? default : _parameters.HiddenBias.In(parameters));
    }

    /// <summary>Forward step t: recurrent product, cell, layer output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardStep(ReadOnlySpan<float> parameters, int t, Span<float> layerOutput)
    {
        int batch = _batch, hidden = Hidden, gateWidth = GateWidth;
        ReadOnlySpan<int> lengths = Lengths;
        int previousSlot = Reverse ? t + 1 : t, outputSlot = Reverse ? t : t + 1;
        int gateOffset = t * batch * gateWidth;
        ReadOnlySpan<float> hPrev = _states.AsSpan(previousSlot * StateSize, StateSize);
        var step = new CellStep
        {
            Batch = batch,
            Hidden = hidden,
            Time = t,
            Lengths = lengths,
            Nonlinearity = _shape.Nonlinearity,
            Gates = _gates.AsSpan(gateOffset, batch * gateWidth),
            HPrev = hPrev,
            H = _states.AsSpan(outputSlot * StateSize, StateSize),
        };

        Span<float> hiddenGates = TCell.KeepsRecurrentProduct
            ? _hiddenGates.AsSpan(gateOffset, batch * gateWidth)
            : _stepHiddenGates.AsSpan(0, batch * gateWidth);
        // A sequence gives one row to the recurrent product: row-invariant, it always takes the dot form, as a single row does.
        Gemm.MultiplyTransposedB(batch, gateWidth, hidden, hPrev, hidden, _parameters.HiddenWeight.In(parameters), hidden, hiddenGates, gateWidth, accumulate: false,
            sequenceRows: _rowInvariant ? 1 : 0);
        if (TCell.KeepsRecurrentProduct)
            RowVectors.AddToEveryRow(hiddenGates, _parameters.HiddenBias.In(parameters));
        step.HiddenGates = hiddenGates;
        if (TCell.HasCellState)
        {
            step.CPrev = _cells.AsSpan(previousSlot * StateSize, StateSize);
            step.C = _cells.AsSpan(outputSlot * StateSize, StateSize);
            step.TanhC = _tanhCells.AsSpan(t * StateSize, StateSize);
        }

        TCell.Forward(ref step);

        int width = _outputWidth;
        for (int row = 0; row < batch; row++)
        {
            Span<float> target = layerOutput.Slice((t * batch + row) * width + _direction * hidden, hidden);
            if (t < lengths[row])
                step.H.Slice(row * hidden, hidden).CopyTo(target);
            else
                target.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyOrClear(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.IsEmpty)
            destination.Clear();
        else
            source.CopyTo(destination);
    }
}
