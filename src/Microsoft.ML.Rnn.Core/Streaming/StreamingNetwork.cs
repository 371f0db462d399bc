namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A <see cref="RnnHead.ManyToMany"/>, unidirectional network stepped one time step at a time, carrying its state:
/// each step's raw head output is, bit for bit, what <see cref="RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/> gives at the last step of the
/// whole series so far. Not thread-safe: one per feed.
/// </summary>
/// <remarks>
/// <para>
/// The whole-sequence pass computes every step's input projection in one GEMM over all steps, and the GEMM rounds by
/// shape (<see cref="ProjectionRounding"/>): for the first few series lengths a projection may round one way, and
/// from some length on (<see cref="WarmUpSteps"/>) always another. Up to that length the steps are kept and each step
/// replays them from the zero state, rounded as a pass over that many steps would be; at that length the replay
/// leaves the states the longer passes share, and from then on each step costs one step of every layer and of the
/// head, whatever the number of steps seen. <see cref="WarmUpSteps"/> depends on the shape only (at most a few
/// hundred, for tiny layers with wide inputs; a handful for typical ones).
/// </para>
/// <para>
/// The recurrent products (one row, always the dot form), the biases (added per row) and the cells (element-wise,
/// per row) are the same calls as in the whole-sequence pass on a batch of one.
/// </para>
/// </remarks>
internal sealed class StreamingNetwork
{
    /// <summary>Steps past the dispatcher's size limits (more multiply-adds than its tiny-product limit, more rows than
    /// any micro-kernel tile or unpacked form takes) from which the scan for a stable rounding starts.</summary>
    private const int ScanMargin = 64;

    /// <summary>How many steps further the rounding is checked to stay the same (a choice by tile size, periodic in
    /// the step count with a period of at most a few dozen, repeats many times within it).</summary>
    private const int CheckSteps = 512;

    private readonly RnnNetworkShape _shape;
    private readonly StreamingLayer[] _layers;
    private readonly RowProjection _head;
    private readonly float[] _parameters;
    private readonly ParameterTensor _headBias;
    private readonly int _headOffset;
    private readonly ProjectionRounding[][] _warmUpRounding;
    private readonly ProjectionRounding[] _stableRounding;
    private readonly float[] _history;

    /// <summary>Prepares a stepper for <paramref name="network"/>, whose parameters must not change while it is used.</summary>
    /// <exception cref="NotSupportedException">The network is not N vs N, is bidirectional, or has a shape the stepper cannot follow bit for bit.</exception>
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

        // Per projection (layers, then the head): the rounding of a pass over T steps, T = 1 … scan + CheckSteps, where
        // from scan on the product is past every size limit of the dispatcher's choice of algorithm.
        int projections = _layers.Length + 1;
        _stableRounding = new ProjectionRounding[projections];
        int warmUp = 1;
        for (int i = 0; i < projections; i++)
        {
            RowProjection projection = i < _layers.Length ? _layers[i].Projection : _head;
            int scanSteps = (int)(GemmDispatcher.TinyWork / Math.Max(1L, (long)projection.Columns * projection.Depth)) + ScanMargin;
            ProjectionRounding stable = projection.RoundingFor(scanSteps);
            for (int steps = scanSteps + 1; steps <= scanSteps + CheckSteps; steps++)
                if (projection.RoundingFor(steps) != stable)
                    throw new NotSupportedException(
                        $"The batched product of {(i < _layers.Length ? $"layer {i}'s input projection" : "the head")} ({projection.Columns}×{projection.Depth}) " +
                        "rounds differently for different numbers of steps, so no stepper can match it bit for bit.");
            for (int steps = scanSteps - 1; steps >= 1; steps--)
                if (projection.RoundingFor(steps) != stable)
                {
                    warmUp = Math.Max(warmUp, steps + 1);
                    break;
                }

            _stableRounding[i] = stable;
        }

        WarmUpSteps = warmUp;
        _warmUpRounding = new ProjectionRounding[warmUp][];
        for (int steps = 1; steps <= warmUp; steps++)
        {
            _warmUpRounding[steps - 1] = new ProjectionRounding[projections];
            for (int i = 0; i < projections; i++)
                _warmUpRounding[steps - 1][i] = (i < _layers.Length ? _layers[i].Projection : _head).RoundingFor(steps);
        }

        _history = new float[warmUp * _shape.InputSize];
    }

    /// <summary>Values per step in.</summary>
    public int InputSize => _shape.InputSize;

    /// <summary>Raw head values per step out (<see cref="RnnNetworkShape.OutputWidth"/>: a distribution's parameters too).</summary>
    public int OutputSize => _shape.OutputWidth;

    /// <summary>The network's shape.</summary>
    public RnnNetworkShape Shape => _shape;

    /// <summary>Steps taken since the zero state.</summary>
    public long StepsSeen { get; private set; }

    /// <summary>Series length from which every projection rounds the same way; until then steps are kept and replayed.</summary>
    public int WarmUpSteps { get; }

    /// <summary>Whether the state is the kept steps (<see cref="StepsSeen"/> &lt; <see cref="WarmUpSteps"/>) rather than the layers' states.</summary>
    public bool IsWarmingUp => StepsSeen < WarmUpSteps;

    /// <summary>Values in the carried state: the kept steps while warming up, else every layer's hidden (and cell) state.</summary>
    public int StateLength => IsWarmingUp
        ? (int)StepsSeen * _shape.InputSize
        : _layers.Length * _shape.HiddenSize * (_shape.HasCellState ? 2 : 1);

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

        long seen = StepsSeen;
        if (seen < WarmUpSteps)
        {
            // Replay every kept step from the zero state, rounded as a pass over this many steps.
            int steps = (int)seen + 1, inputSize = _shape.InputSize;
            input.CopyTo(_history.AsSpan((int)seen * inputSize, inputSize));
            ProjectionRounding[] rounding = _warmUpRounding[steps - 1];
            foreach (StreamingLayer layer in _layers)
                layer.Reset();
            for (int t = 0; t < steps; t++)
                StepLayers(_history.AsSpan(t * inputSize, inputSize), rounding);
            Head(rounding[_layers.Length], output);
        }
        else
        {
            StepLayers(input, _stableRounding);
            Head(_stableRounding[_layers.Length], output);
        }

        StepsSeen = seen + 1;
    }

    /// <summary>Copies the carried state (<see cref="StateLength"/> values) into <paramref name="destination"/>.</summary>
    public void WriteState(Span<float> destination)
    {
        if (IsWarmingUp)
        {
            _history.AsSpan(0, StateLength).CopyTo(destination);
            return;
        }

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
        {
            state.CopyTo(_history);
            return;
        }

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
    public int StateLengthAfter(long stepsSeen) => stepsSeen < WarmUpSteps
        ? (int)stepsSeen * _shape.InputSize
        : _layers.Length * _shape.HiddenSize * (_shape.HasCellState ? 2 : 1);

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
