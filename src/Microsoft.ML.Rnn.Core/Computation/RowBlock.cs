using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The forward and backward passes of the whole network over one block of batch rows, with every buffer its own.
/// Batch rows never interact in a recurrent network, so blocks of rows run on different threads with no hand-off
/// until the parameter gradients are summed (see <see cref="RnnComputation"/>).
/// </summary>
internal sealed class RowBlock
{
    private readonly RnnNetworkShape _shape;
    private readonly RecurrentDirection[,] _directions;
    private readonly OutputHead _head;
    private readonly int _headOffset;
    private readonly BackwardScratch _scratch = new();
    private readonly float[][] _layerOutputs;
    private readonly float[][] _droppedOutputs;
    private readonly float[][] _dropoutMasks;
    private float[] _input = [];
    private float[] _initialHidden = [];
    private float[] _initialCell = [];
    private float[] _finalState = [];
    private float[] _output = [];
    private float[] _finalHidden = [];
    private float[] _finalCell = [];
    private float[] _gradients = [];
    private float[] _gradientAbove = [];
    private float[] _gradientBelow = [];
    private float[] _dFinalState = [];
    private float[] _dFinalDirection = [];
    private float[] _dLayerFinalHidden = [];
    private float[] _dLayerFinalCell = [];
    private float[] _dHeadInput = [];
    private int[] _lengths = [];
    private int _batch;
    private int _steps;
    private bool _dropoutApplied;

    public RowBlock(RnnNetwork network)
    {
        _shape = network.Shape;
        int layers = _shape.EncoderLayers;
        _directions = new RecurrentDirection[layers, _shape.Directions];
        CellDescription cell = RecurrentCells.Describe(_shape.Cell);
        for (int layer = 0; layer < layers; layer++)
            for (int direction = 0; direction < _shape.Directions; direction++)
                _directions[layer, direction] = cell.CreateDirection(
                    _shape, network.Layout.RecurrentLayers[layer, direction], InputWidth(layer), direction, _shape.TopWidth);
        _head = RnnHeads.Create(_shape);
        _headOffset = network.Layout.HeadOffset;
        _layerOutputs = NewJagged(layers);
        _droppedOutputs = NewJagged(layers);
        _dropoutMasks = NewJagged(layers);
    }

    /// <summary>The head's outputs for this block's rows, batch-first.</summary>
    public ReadOnlySpan<float> Output => _output.AsSpan(0, _head.OutputLength(_batch, _steps));

    /// <summary>Final hidden states <c>[layers·directions, rows, hidden]</c>.</summary>
    public ReadOnlySpan<float> FinalHidden => _finalHidden.AsSpan(0, StateLength);

    /// <summary>LSTM final cell states <c>[layers·directions, rows, hidden]</c>.</summary>
    public ReadOnlySpan<float> FinalCell => _finalCell.AsSpan(0, StateLength);

    private int StateLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _shape.EncoderLayers * _shape.Directions * _batch * _shape.HiddenSize;
    }

    /// <summary>
    /// Runs rows [<paramref name="first"/>, <paramref name="end"/>) of a validated batch. States and dropout masks
    /// are the whole batch's (time- or state-major, <paramref name="batch"/> rows); this block reads its own rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(in RowBlockInputs batch, int first, int end, int threads)
    {
        _batch = end - first;
        _steps = batch.Steps;
        int steps = _steps, rows = _batch, hidden = _shape.HiddenSize, width = _shape.TopWidth, stateSize = rows * hidden;
        int inputSize = _shape.InputSize, stateSlices = _shape.EncoderLayers * _shape.Directions;
        ReadOnlySpan<float> parameters = batch.Parameters;
        Span<int> lengths = Buffers.Ensure(ref _lengths, rows);
        batch.Lengths[first..end].CopyTo(lengths);
        Span<float> input = Buffers.Ensure(ref _input, steps * rows * inputSize);
        Layout.SequencesToTimeMajor(batch.Inputs.Slice(first * steps * inputSize, rows * steps * inputSize), lengths, steps, inputSize, input);
        ReadOnlySpan<float> initialHidden = GatherRows(batch.InitialHidden, stateSlices, batch.BatchSize, first, end, hidden, ref _initialHidden);
        ReadOnlySpan<float> initialCell = GatherRows(batch.InitialCell, stateSlices, batch.BatchSize, first, end, hidden, ref _initialCell);

        _dropoutApplied = batch.DropoutMasks is not null;
        Span<float> finalHidden = Buffers.Ensure(ref _finalHidden, StateLength);
        Span<float> finalCell = _shape.HasCellState ? Buffers.Ensure(ref _finalCell, StateLength) : default;
        ReadOnlySpan<float> layerInput = input;
        for (int layer = 0; layer < _shape.EncoderLayers; layer++)
        {
            Span<float> layerOutput = Buffers.Ensure(ref _layerOutputs[layer], steps * rows * width);
            for (int direction = 0; direction < _shape.Directions; direction++)
            {
                int stateIndex = layer * _shape.Directions + direction;
                RecurrentDirection pass = _directions[layer, direction];
                pass.Forward(parameters, layerInput, lengths, steps,
                    StateSlice(initialHidden, stateIndex, stateSize), StateSlice(initialCell, stateIndex, stateSize),
                    layerOutput, threads, batch.Cancellation, batch.RowInvariant ? GemmDispatcher.VaryingRows : 0);
                pass.FinalHidden.CopyTo(finalHidden.Slice(stateIndex * stateSize, stateSize));
                if (!finalCell.IsEmpty)
                    pass.FinalCell.CopyTo(finalCell.Slice(stateIndex * stateSize, stateSize));
            }

            layerInput = layerOutput;
            if (batch.DropoutMasks is { } masks && layer < _shape.EncoderLayers - 1)
            {
                Span<float> mask = Buffers.Ensure(ref _dropoutMasks[layer], layerOutput.Length);
                Layout.CopyRows(masks[layer], steps, batch.BatchSize, first, end, width, mask);
                Span<float> dropped = Buffers.Ensure(ref _droppedOutputs[layer], layerOutput.Length);
                TensorPrimitives.Multiply(layerOutput, mask, dropped);
                layerInput = dropped;
            }
        }

        Span<float> finalState = Buffers.Ensure(ref _finalState, rows * width);
        int top = _shape.EncoderLayers - 1;
        for (int direction = 0; direction < _shape.Directions && top >= 0; direction++)
        {
            ReadOnlySpan<float> directionFinal = _directions[top, direction].FinalHidden;
            for (int row = 0; row < rows; row++)
                directionFinal.Slice(row * hidden, hidden).CopyTo(finalState.Slice(row * width + direction * hidden, hidden));
        }

        int targetsPerRow = batch.Targets.Length / batch.BatchSize;
        _head.Forward(parameters[_headOffset..], TopStack(), batch.Targets.Slice(first * targetsPerRow, rows * targetsPerRow),
            Buffers.Ensure(ref _output, _head.OutputLength(rows, steps)), threads, batch.Cancellation, batch.RowInvariant);
    }

    /// <summary>
    /// Back-propagates this block's rows. <paramref name="outputGradient"/> and <paramref name="inputGradient"/> are
    /// this block's rows (batch-first); the parameter gradient goes to <paramref name="parameterGradient"/>, or,
    /// when that is empty, to this block's own buffer (<see cref="OwnGradients"/>). <paramref name="cancellation"/> is
    /// checked at every time step and inside the products over all steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> outputGradient, Span<float> parameterGradient,
        int parameterCount, Span<float> inputGradient, int threads, CancellationToken cancellation = default)
    {
        int steps = _steps, rows = _batch, hidden = _shape.HiddenSize, width = _shape.TopWidth, layers = _shape.EncoderLayers;
        int stateSize = rows * hidden;
        if (parameterGradient.IsEmpty)
            parameterGradient = Buffers.Ensure(ref _gradients, parameterCount);
        ReadOnlySpan<int> lengths = _lengths.AsSpan(0, rows);
        int maxWidth = Math.Max(width, _shape.InputSize);
        float[] above = _gradientAbove, below = _gradientBelow;
        StackReads reads = _head.Reads;
        var stackGradient = new StackGradient
        {
            Steps = Cleared(reads, StackReads.Steps, Buffers.Ensure(ref above, steps * rows * maxWidth)[..(steps * rows * width)]),
            FinalState = Cleared(reads, StackReads.FinalState, Buffers.Ensure(ref _dFinalState, rows * width)),
            LayerFinalHidden = Cleared(reads, StackReads.LayerStates, Buffers.Ensure(ref _dLayerFinalHidden, StateLength)),
            LayerFinalCell = _shape.HasCellState ? Cleared(reads, StackReads.LayerStates, Buffers.Ensure(ref _dLayerFinalCell, StateLength)) : default,
            Input = Cleared(reads, StackReads.Input, Buffers.Ensure(ref _dHeadInput, steps * rows * _shape.InputSize)),
        };
        _head.Backward(parameters[_headOffset..], TopStack(), outputGradient, parameterGradient[_headOffset..], stackGradient, threads,
            cancellation);

        for (int layer = layers - 1; layer >= 0; layer--)
        {
            bool isTop = layer == layers - 1;
            bool wantsInputGradient = layer > 0 || !inputGradient.IsEmpty;
            int inputWidth = InputWidth(layer);
            ReadOnlySpan<float> layerInput = layer == 0 ? _input.AsSpan(0, steps * rows * _shape.InputSize) : LayerInput(layer - 1);
            Span<float> dLayerInput = wantsInputGradient ? Buffers.Ensure(ref below, steps * rows * maxWidth)[..(steps * rows * inputWidth)] : default;
            ReadOnlySpan<float> dLayerOutput = isTop && (reads & StackReads.Steps) == 0 ? default : above.AsSpan(0, steps * rows * width);
            for (int direction = 0; direction < _shape.Directions; direction++)
            {
                int stateIndex = layer * _shape.Directions + direction;
                scoped ReadOnlySpan<float> dFinal = default, dFinalCell = default;
                if (isTop && (reads & StackReads.FinalState) != 0)
                {
                    Span<float> split = Buffers.Ensure(ref _dFinalDirection, stateSize);
                    for (int row = 0; row < rows; row++)
                        stackGradient.FinalState.Slice(row * width + direction * hidden, hidden).CopyTo(split.Slice(row * hidden, hidden));
                    if ((reads & StackReads.LayerStates) != 0)
                        Elementwise.Add(split, stackGradient.LayerFinalHidden.Slice(stateIndex * stateSize, stateSize), split);
                    dFinal = split;
                }
                else if ((reads & StackReads.LayerStates) != 0)
                    dFinal = stackGradient.LayerFinalHidden.Slice(stateIndex * stateSize, stateSize);
                if ((reads & StackReads.LayerStates) != 0 && _shape.HasCellState)
                    dFinalCell = stackGradient.LayerFinalCell.Slice(stateIndex * stateSize, stateSize);

                _directions[layer, direction].Backward(parameters, layerInput, lengths, dLayerOutput, dFinal, dFinalCell, _scratch,
                    parameterGradient, dLayerInput, accumulateInputGradient: direction > 0, threads, cancellation);
            }

            if (layer > 0 && _dropoutApplied)
                TensorPrimitives.Multiply(dLayerInput, _dropoutMasks[layer - 1].AsSpan(0, dLayerInput.Length), dLayerInput);
            (above, below) = (below, above);
        }

        _gradientAbove = above;
        _gradientBelow = below;
        if (!inputGradient.IsEmpty)
        {
            // Without a stack over the input (1 vs N) the head read the input itself and gave its gradient.
            ReadOnlySpan<float> dInput = layers == 0 ? stackGradient.Input : above.AsSpan(0, steps * rows * _shape.InputSize);
            Layout.TimeMajorToBatchFirst(dInput, rows, steps, _shape.InputSize, inputGradient);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Span<float> Cleared(StackReads reads, StackReads part, Span<float> buffer)
    {
        if ((reads & part) == 0)
            return default;
        buffer.Clear();
        return buffer;
    }

    /// <summary>The parameter gradient of the last <see cref="Backward"/> that was not given a destination.</summary>
    public ReadOnlySpan<float> OwnGradients(int parameterCount) => _gradients.AsSpan(0, parameterCount);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StackOutput TopStack()
    {
        int size = _steps * _batch * _shape.TopWidth, layers = _shape.EncoderLayers;
        return new StackOutput
        {
            Steps = layers == 0 ? default : _layerOutputs[layers - 1].AsSpan(0, size),
            FinalState = layers == 0 ? default : _finalState.AsSpan(0, _batch * _shape.TopWidth),
            LayerFinalHidden = FinalHidden,
            LayerFinalCell = _shape.HasCellState ? FinalCell : default,
            Input = _input.AsSpan(0, _steps * _batch * _shape.InputSize),
            Lengths = _lengths.AsSpan(0, _batch),
            StepCount = _steps,
        };
    }

    private ReadOnlySpan<float> LayerInput(int layerBelow)
    {
        int size = _steps * _batch * _shape.TopWidth;
        return (_dropoutApplied ? _droppedOutputs[layerBelow] : _layerOutputs[layerBelow]).AsSpan(0, size);
    }

    private int InputWidth(int layer) => layer == 0 ? _shape.InputSize : _shape.TopWidth;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> GatherRows(ReadOnlySpan<float> state, int slices, int batch, int first, int end, int hidden, ref float[] buffer)
    {
        if (state.IsEmpty || end - first == batch)
            return state;
        Span<float> rows = Buffers.Ensure(ref buffer, slices * (end - first) * hidden);
        Layout.CopyRows(state, slices, batch, first, end, hidden, rows);
        return rows;
    }

    private static ReadOnlySpan<float> StateSlice(ReadOnlySpan<float> state, int index, int size) =>
        state.IsEmpty ? default : state.Slice(index * size, size);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[][] NewJagged(int count)
    {
        var arrays = new float[count][];
        for (int i = 0; i < count; i++)
            arrays[i] = [];
        return arrays;
    }
}
