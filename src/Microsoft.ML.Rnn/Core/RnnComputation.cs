using System.Numerics.Tensors;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Forward and backward passes of an <see cref="RnnNetwork"/> over batches, with every buffer kept and reused:
/// after the first batch of the largest shape, a pass allocates nothing. Not thread-safe; use one per thread.
/// </summary>
public sealed class RnnComputation
{
    private readonly RnnNetwork _network;
    private readonly RnnNetworkShape _shape;
    private readonly RecurrentDirection[,] _directions;
    private readonly OutputHead _head;
    private readonly BackwardScratch _scratch = new();
    private readonly Random _dropoutRandom;
    private readonly float[][] _layerOutputs;
    private readonly float[][] _droppedOutputs;
    private readonly float[][] _dropoutMasks;
    private float[] _input = [];
    private float[] _finalState = [];
    private float[] _output = [];
    private float[] _finalHidden = [];
    private float[] _finalCell = [];
    private float[] _gradientAbove = [];
    private float[] _gradientBelow = [];
    private float[] _dFinalState = [];
    private float[] _dFinalDirection = [];
    private int[] _lengths = [];
    private int _batch;
    private int _steps;
    private bool _dropoutApplied;
    private bool _hasForward;

    /// <summary>Creates a computation for <paramref name="network"/>.</summary>
    /// <param name="network">The network whose parameters the passes read.</param>
    /// <param name="threads">Threads a matrix product may use; 1 keeps everything on the calling thread.</param>
    /// <param name="dropoutSeed">Seed of the dropout masks drawn during training passes.</param>
    public RnnComputation(RnnNetwork network, int threads = 1, int dropoutSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _network = network;
        _shape = network.Shape;
        Threads = threads;
        _dropoutRandom = new Random(dropoutSeed);
        int layers = _shape.NumberOfLayers;
        _directions = new RecurrentDirection[layers, _shape.Directions];
        for (int layer = 0; layer < layers; layer++)
            for (int direction = 0; direction < _shape.Directions; direction++)
                _directions[layer, direction] = new RecurrentDirection(
                    _shape, network.Layout.Recurrent[layer, direction], InputWidth(layer), direction);
        _head = OutputHead.Create(_shape, network.Layout);
        _layerOutputs = NewJagged(layers);
        _droppedOutputs = NewJagged(layers);
        _dropoutMasks = NewJagged(layers);
    }

    /// <summary>Threads a matrix product may use.</summary>
    public int Threads { get; }

    /// <summary>The network this computation runs.</summary>
    public RnnNetwork Network => _network;

    /// <summary>The final hidden state of every layer and direction after the last forward pass, <c>[layers·directions, batch, hidden]</c> (PyTorch's <c>h_n</c>).</summary>
    public ReadOnlySpan<float> FinalHidden => _finalHidden.AsSpan(0, StateLength);

    /// <summary>LSTM: the final cell state, <c>[layers·directions, batch, hidden]</c> (PyTorch's <c>c_n</c>); empty for other cells.</summary>
    public ReadOnlySpan<float> FinalCell => _shape.Cell == RnnCellType.Lstm ? _finalCell.AsSpan(0, StateLength) : default;

    private int StateLength => _shape.NumberOfLayers * _shape.Directions * _batch * _shape.HiddenSize;

    /// <summary>
    /// Runs the network over a batch and returns the head's raw outputs: <c>[batch, outputs]</c> for N vs 1,
    /// <c>[batch, steps, outputs]</c> for N vs N. The span stays valid until the next pass.
    /// </summary>
    /// <param name="batch">The sequences.</param>
    /// <param name="training">Applies dropout between layers when the network has any.</param>
    /// <param name="initialHidden">Initial hidden state <c>[layers·directions, batch, hidden]</c>, or empty for zeros.</param>
    /// <param name="initialCell">LSTM initial cell state, same shape, or empty for zeros.</param>
    public ReadOnlySpan<float> Forward(SequenceBatch batch, bool training = false, ReadOnlySpan<float> initialHidden = default, ReadOnlySpan<float> initialCell = default)
    {
        batch.Validate(_shape.InputSize);
        _batch = batch.BatchSize;
        _steps = batch.Steps;
        CheckState(initialHidden, nameof(initialHidden));
        CheckState(initialCell, nameof(initialCell));
        if (!initialCell.IsEmpty && _shape.Cell != RnnCellType.Lstm)
            throw new ArgumentException($"An initial cell state was given, but only LSTM has one; this network is {_shape.Cell}.", nameof(initialCell));

        int steps = _steps, batchSize = _batch, hidden = _shape.HiddenSize, width = _shape.TopWidth, stateSize = batchSize * hidden;
        ReadOnlySpan<float> parameters = _network.Values;
        Span<int> lengths = Buffers.Ensure(ref _lengths, batchSize);
        batch.Lengths.CopyTo(lengths);
        Span<float> input = Buffers.Ensure(ref _input, steps * batchSize * _shape.InputSize);
        Layout.SequencesToTimeMajor(batch.Inputs, lengths, steps, _shape.InputSize, input);

        _dropoutApplied = training && _shape.Dropout > 0f;
        Span<float> finalHidden = Buffers.Ensure(ref _finalHidden, StateLength);
        Span<float> finalCell = _shape.Cell == RnnCellType.Lstm ? Buffers.Ensure(ref _finalCell, StateLength) : default;
        ReadOnlySpan<float> layerInput = input;
        for (int layer = 0; layer < _shape.NumberOfLayers; layer++)
        {
            Span<float> layerOutput = Buffers.Ensure(ref _layerOutputs[layer], steps * batchSize * width);
            for (int direction = 0; direction < _shape.Directions; direction++)
            {
                int stateIndex = layer * _shape.Directions + direction;
                RecurrentDirection pass = _directions[layer, direction];
                pass.Forward(parameters, layerInput, lengths, steps,
                    StateSlice(initialHidden, stateIndex, stateSize), StateSlice(initialCell, stateIndex, stateSize),
                    layerOutput, Threads);
                pass.FinalHidden.CopyTo(finalHidden.Slice(stateIndex * stateSize, stateSize));
                if (!finalCell.IsEmpty)
                    pass.FinalCell.CopyTo(finalCell.Slice(stateIndex * stateSize, stateSize));
            }

            layerInput = layerOutput;
            if (_dropoutApplied && layer < _shape.NumberOfLayers - 1)
            {
                Span<float> dropped = Buffers.Ensure(ref _droppedOutputs[layer], layerOutput.Length);
                DropoutMask.Apply(layerOutput, _shape.Dropout, _dropoutRandom,
                    Buffers.Ensure(ref _dropoutMasks[layer], layerOutput.Length), dropped);
                layerInput = dropped;
            }
        }

        Span<float> finalState = Buffers.Ensure(ref _finalState, batchSize * width);
        int top = _shape.NumberOfLayers - 1;
        for (int direction = 0; direction < _shape.Directions; direction++)
        {
            ReadOnlySpan<float> directionFinal = _directions[top, direction].FinalHidden;
            for (int row = 0; row < batchSize; row++)
                directionFinal.Slice(row * hidden, hidden).CopyTo(finalState.Slice(row * width + direction * hidden, hidden));
        }

        Span<float> output = Buffers.Ensure(ref _output, _head.OutputLength(batchSize, steps));
        _head.Forward(parameters, TopStack(), output, Threads);
        _hasForward = true;
        return output;
    }

    /// <summary>
    /// Back-propagates through time from the gradient of the loss with respect to the last forward pass's outputs.
    /// Writes d loss / d parameter into <paramref name="parameterGradient"/> (overwriting; laid out as the network's
    /// parameters) and, when not empty, d loss / d input into <paramref name="inputGradient"/> (<c>[batch, steps, inputSize]</c>,
    /// zero at padded steps). Gradients arriving at padded steps' outputs are ignored.
    /// </summary>
    public void Backward(ReadOnlySpan<float> outputGradient, Span<float> parameterGradient, Span<float> inputGradient = default)
    {
        if (!_hasForward)
            throw new InvalidOperationException("Backward needs a forward pass first.");
        int steps = _steps, batchSize = _batch, hidden = _shape.HiddenSize, width = _shape.TopWidth, layers = _shape.NumberOfLayers;
        CheckLength(outputGradient.Length, _head.OutputLength(batchSize, steps), nameof(outputGradient));
        CheckLength(parameterGradient.Length, _network.Layout.TotalLength, nameof(parameterGradient));
        if (!inputGradient.IsEmpty)
            CheckLength(inputGradient.Length, batchSize * steps * _shape.InputSize, nameof(inputGradient));

        ReadOnlySpan<float> parameters = _network.Values;
        ReadOnlySpan<int> lengths = _lengths.AsSpan(0, batchSize);
        int maxWidth = Math.Max(width, _shape.InputSize);
        float[] above = _gradientAbove, below = _gradientBelow;
        Span<float> dSteps = Buffers.Ensure(ref above, steps * batchSize * maxWidth)[..(steps * batchSize * width)];
        Span<float> dFinalState = Buffers.Ensure(ref _dFinalState, batchSize * width);
        _head.Backward(parameters, TopStack(), outputGradient, parameterGradient, dSteps, dFinalState, Threads);

        for (int layer = layers - 1; layer >= 0; layer--)
        {
            bool isTop = layer == layers - 1;
            bool wantsInputGradient = layer > 0 || !inputGradient.IsEmpty;
            int inputWidth = InputWidth(layer);
            ReadOnlySpan<float> layerInput = layer == 0 ? _input.AsSpan(0, steps * batchSize * _shape.InputSize) : LayerInput(layer - 1);
            Span<float> dLayerInput = wantsInputGradient ? Buffers.Ensure(ref below, steps * batchSize * maxWidth)[..(steps * batchSize * inputWidth)] : default;
            ReadOnlySpan<float> dLayerOutput = isTop && !_head.ReadsSteps ? default : above.AsSpan(0, steps * batchSize * width);
            for (int direction = 0; direction < _shape.Directions; direction++)
            {
                ReadOnlySpan<float> dFinal = default;
                if (isTop && !_head.ReadsSteps)
                {
                    Span<float> split = Buffers.Ensure(ref _dFinalDirection, batchSize * hidden);
                    for (int row = 0; row < batchSize; row++)
                        dFinalState.Slice(row * width + direction * hidden, hidden).CopyTo(split.Slice(row * hidden, hidden));
                    dFinal = split;
                }

                _directions[layer, direction].Backward(parameters, layerInput, lengths, dLayerOutput, dFinal, _scratch,
                    parameterGradient, dLayerInput, accumulateInputGradient: direction > 0, Threads);
            }

            if (layer > 0 && _dropoutApplied)
                TensorPrimitives.Multiply(dLayerInput, _dropoutMasks[layer - 1].AsSpan(0, dLayerInput.Length), dLayerInput);
            (above, below) = (below, above);
        }

        _gradientAbove = above;
        _gradientBelow = below;
        if (!inputGradient.IsEmpty)
            Layout.TimeMajorToBatchFirst(above.AsSpan(0, steps * batchSize * _shape.InputSize), batchSize, steps, _shape.InputSize, inputGradient);
    }

    private StackOutput TopStack()
    {
        int size = _steps * _batch * _shape.TopWidth;
        return new StackOutput(_layerOutputs[_shape.NumberOfLayers - 1].AsSpan(0, size),
            _finalState.AsSpan(0, _batch * _shape.TopWidth), _lengths.AsSpan(0, _batch), _steps);
    }

    private ReadOnlySpan<float> LayerInput(int layerBelow)
    {
        int size = _steps * _batch * _shape.TopWidth;
        return (_dropoutApplied ? _droppedOutputs[layerBelow] : _layerOutputs[layerBelow]).AsSpan(0, size);
    }

    private int InputWidth(int layer) => layer == 0 ? _shape.InputSize : _shape.TopWidth;

    private void CheckState(ReadOnlySpan<float> state, string name)
    {
        if (!state.IsEmpty)
            CheckLength(state.Length, StateLength, name);
    }

    private static ReadOnlySpan<float> StateSlice(ReadOnlySpan<float> state, int index, int size) =>
        state.IsEmpty ? default : state.Slice(index * size, size);

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} holds {actual} values; expected {expected}.", name);
    }

    private static float[][] NewJagged(int count)
    {
        var arrays = new float[count][];
        for (int i = 0; i < count; i++)
            arrays[i] = [];
        return arrays;
    }
}
