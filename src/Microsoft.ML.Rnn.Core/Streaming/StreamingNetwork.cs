namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A <see cref="RnnHead.ManyToMany"/>, unidirectional network stepped one time step at a time, carrying its state:
/// each step's raw head output is, bit for bit, what <see cref="RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/> gives at the last step of the
/// whole series so far. Not thread-safe: one per feed.
/// </summary>
/// <remarks>
/// Scoring plans every product by one sequence's rows, never by the batch (<see cref="GemmProblem.SequenceRows"/>), so a
/// step's input projection and head round the same way whatever the series' length: each step costs one step of every
/// layer and of the head, from the first. The recurrent products (one row, always the dot form), the biases (added per
/// row) and the cells (element-wise, per row) are the same calls as in the whole-sequence pass on a batch of one.
/// </remarks>
internal sealed class StreamingNetwork
{
    private readonly RnnNetworkShape _shape;
    private readonly StreamingLayer[] _layers;
    private readonly RowProjection _head;
    private readonly float[] _parameters;
    private readonly ParameterTensor _headBias;
    private readonly int _headOffset;
    private readonly ProjectionRounding[] _rounding;

    /// <summary>Prepares a stepper for <paramref name="network"/>, whose parameters must not change while it is used.</summary>
    /// <exception cref="NotSupportedException">The network is not N vs N, or is bidirectional.</exception>
    public StreamingNetwork(RnnNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _shape = network.Shape;
        if (_shape.HeadStructure != HeadStructure.OnePerInputStep)
            throw new NotSupportedException($"Only an N vs N (ManyToMany) network has an output per input step to stream; this one is {_shape.Head}.");
        if (_shape.Bidirectional)
            throw new NotSupportedException("A bidirectional network's outputs depend on later steps; only a unidirectional network can stream.");

        _parameters = network.Values;
        _layers = new StreamingLayer[_shape.NumberOfLayers];
        for (int layer = 0; layer < _layers.Length; layer++)
            _layers[layer] = StreamingLayer.Create(network, layer);
        IReadOnlyList<ParameterTensor> head = RnnHeads.Create(_shape).Parameters;
        _headOffset = network.Layout.HeadOffset;
        _head = new RowProjection(_parameters, _headOffset, head[0]);
        _headBias = head[1];

        // Per projection (layers, then the head): the rounding of a pass over the series, the same for every length.
        _rounding = new ProjectionRounding[_layers.Length + 1];
        for (int i = 0; i < _rounding.Length; i++)
            _rounding[i] = (i < _layers.Length ? _layers[i].Projection : _head).RoundingFor(GemmDispatcher.VaryingRows);
    }

    /// <summary>Values per step in.</summary>
    public int InputSize => _shape.InputSize;

    /// <summary>Raw head values per step out (<see cref="RnnNetworkShape.OutputWidth"/>: a distribution's parameters too).</summary>
    public int OutputSize => _shape.OutputWidth;

    /// <summary>The network's shape.</summary>
    public RnnNetworkShape Shape => _shape;

    /// <summary>Steps taken since the zero state.</summary>
    public long StepsSeen { get; private set; }

    /// <summary>
    /// Steps from which the carried state is the layers' states: 1 (before the first step the state is empty). Earlier
    /// releases kept and replayed a series' first steps for a shape-dependent number of steps.
    /// </summary>
    public int WarmUpSteps => 1;

    /// <summary>Whether no step has been taken (<see cref="StepsSeen"/> &lt; <see cref="WarmUpSteps"/>): the carried state is empty.</summary>
    public bool IsWarmingUp => StepsSeen < WarmUpSteps;

    /// <summary>Values in the carried state: none before the first step, then every layer's hidden (and cell) state.</summary>
    public int StateLength => StateLengthAfter(StepsSeen);

    /// <summary>Back to the zero state.</summary>
    public void Reset()
    {
        foreach (StreamingLayer layer in _layers)
            layer.Reset();
        StepsSeen = 0;
    }

    /// <summary>
    /// Takes one step and writes the head's raw outputs for it (<see cref="OutputSize"/> values). The step is checked
    /// first; a rejected step changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold <see cref="InputSize"/> values, holds a value that is not finite, or <paramref name="output"/> is too short.</exception>
    public void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != _shape.InputSize)
            throw new ArgumentException($"The step holds {input.Length} values; this network takes {_shape.InputSize} per step.", nameof(input));
        for (int i = 0; i < input.Length; i++)
            if (!float.IsFinite(input[i]))
                throw new ArgumentException($"The step holds {input[i]} at index {i}; every value must be finite. The step was not taken.", nameof(input));
        if (output.Length < OutputSize)
            throw new ArgumentException($"The output holds {output.Length} values; expected {OutputSize}.", nameof(output));

        StepLayers(input, _rounding);
        Head(_rounding[_layers.Length], output);
        StepsSeen++;
    }

    /// <summary>Copies the carried state (<see cref="StateLength"/> values) into <paramref name="destination"/>.</summary>
    public void WriteState(Span<float> destination)
    {
        if (IsWarmingUp)
            return;

        int hidden = _shape.HiddenSize, offset = 0;
        foreach (StreamingLayer layer in _layers)
        {
            layer.Hidden.CopyTo(destination.Slice(offset, hidden));
            offset += hidden;
            if (_shape.HasCellState)
            {
                layer.Cell.CopyTo(destination.Slice(offset, hidden));
                offset += hidden;
            }
        }
    }

    /// <summary>Restores a state <see cref="WriteState"/> wrote after <paramref name="stepsSeen"/> steps; <paramref name="state"/> must hold the
    /// <see cref="StateLength"/> values of that many steps (the caller checks).</summary>
    public void ReadState(long stepsSeen, ReadOnlySpan<float> state)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepsSeen);
        Reset();
        StepsSeen = stepsSeen;
        if (state.Length != StateLength)
        {
            StepsSeen = 0;
            throw new ArgumentException($"The state holds {state.Length} values; {stepsSeen} steps need {StateLength}.", nameof(state));
        }

        if (IsWarmingUp)
            return;

        int hidden = _shape.HiddenSize, offset = 0;
        foreach (StreamingLayer layer in _layers)
        {
            state.Slice(offset, hidden).CopyTo(layer.Hidden);
            offset += hidden;
            if (_shape.HasCellState)
            {
                state.Slice(offset, hidden).CopyTo(layer.Cell);
                offset += hidden;
            }
        }
    }

    /// <summary>
    /// Starts from the zero state and takes <paramref name="ticks"/> (whole steps, time-major) without writing outputs:
    /// the state a series of those steps leaves, as <see cref="Step"/> would leave it. For a state an earlier release
    /// saved while it still kept the ticks themselves.
    /// </summary>
    public void Replay(ReadOnlySpan<float> ticks)
    {
        int inputSize = _shape.InputSize;
        if (ticks.IsEmpty || ticks.Length % inputSize != 0)
            throw new ArgumentException($"The ticks hold {ticks.Length} values; expected a positive multiple of the input size {inputSize}.", nameof(ticks));
        Span<float> output = stackalloc float[OutputSize];
        Reset();
        for (int t = 0; t < ticks.Length / inputSize; t++)
            Step(ticks.Slice(t * inputSize, inputSize), output);
    }

    /// <summary>The values <see cref="ReadState"/> takes for <paramref name="stepsSeen"/> steps.</summary>
    public int StateLengthAfter(long stepsSeen) => stepsSeen < WarmUpSteps ? 0 : _layers.Length * _shape.HiddenSize * (_shape.HasCellState ? 2 : 1);

    private void StepLayers(ReadOnlySpan<float> input, ProjectionRounding[] rounding)
    {
        ReadOnlySpan<float> layerInput = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i].Step(layerInput, rounding[i]);
            layerInput = _layers[i].Hidden;
        }
    }

    private void Head(ProjectionRounding rounding, Span<float> output)
    {
        Span<float> values = output[..OutputSize];
        _head.Project(_layers[^1].Hidden, rounding, values);
        RowVectors.AddToEveryRow(values, _headBias.In(_parameters.AsSpan(_headOffset)));
    }
}
