using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// 1 vs N and N vs M: a unidirectional recurrent decoder of the network's cell, hidden size and layer count that emits
/// <see cref="RnnNetworkShape.OutputLength"/> steps, with a linear layer (<c>head</c>) on each step's top-layer output.
/// N vs M reads a context formed from the encoder (<see cref="RnnContext"/>) as its initial state, as an input at every
/// step, or both (<see cref="RnnDecoderInput"/>); 1 vs N has no encoder, its decoder is the network's only stack
/// (<c>rnn.*</c>) and reads the row's input vector at the first step or at every step. Either may also feed back its
/// previous output (<see cref="RnnOutputFeedback"/>).
/// </summary>
/// <remarks>
/// The decoder's input at step t is [context part | input part, fed-back part]. When every step's input is known
/// before the decoder starts (no attention; targets fed back, or nothing), each layer runs over all steps at once
/// with one input projection; otherwise (attention, or its own outputs fed back) the layers run one step at a time.
/// </remarks>
internal sealed class DecoderHead : OutputHead
{
    private readonly int _hidden;
    private readonly int _layerCount;
    private readonly int _contextWidth;
    private readonly int _vectorWidth;
    private readonly int _feedbackWidth;
    private readonly int _inputWidth;
    private readonly bool _startsFromEncoderLayers;
    private readonly bool _startsFromContext;
    private readonly LinearProjection? _context;
    private readonly LuongAttention? _attention;
    private readonly RecurrentDirection[] _layers;
    private readonly BackwardScratch[] _scratch;
    private readonly float[][] _layerOutputs;
    private readonly float[][] _dLayerOutputs;
    private readonly LinearProjection _head;
    private float[] _contextValues = [];
    private float[] _initialHidden = [];
    private float[] _decoderInput = [];
    private float[] _output = [];
    private float[] _dOutput = [];
    private float[] _dDecoderInput = [];
    private float[] _dContext = [];
    private float[] _dPreviousState = [];
    private int[] _lengths = [];
    private int _batch;
    private bool _stepByStep;

    public DecoderHead(RnnNetworkShape shape)
        : base(shape)
    {
        _hidden = shape.HiddenSize;
        _layerCount = shape.NumberOfLayers;
        bool hasEncoder = shape.EncoderLayers > 0;
        bool readsEveryStep = shape.DecoderInput != RnnDecoderInput.InitialState;
        bool readsInitialState = shape.DecoderInput != RnnDecoderInput.EveryStep;
        var parameters = new List<ParameterTensor>();
        long offset = 0;
        if (hasEncoder)
        {
            _contextWidth = readsEveryStep ? (shape.Context == RnnContext.Projected ? _hidden : shape.TopWidth) : 0;
            _startsFromEncoderLayers = readsInitialState && shape.Context != RnnContext.Projected;
            _startsFromContext = readsInitialState && shape.Context == RnnContext.Projected;
            if (shape.Context == RnnContext.Projected)
            {
                _context = new LinearProjection("context", shape.TopWidth, _hidden, offset);
                parameters.AddRange([_context.Weight, _context.Bias]);
                offset += _context.Weight.Length + _context.Bias.Length;
            }
            else if (shape.Context == RnnContext.Attention)
            {
                _attention = new LuongAttention(_hidden, shape.TopWidth, offset);
                parameters.Add(_attention.Weight);
                offset += _attention.Weight.Length;
            }
        }
        else
            _vectorWidth = shape.InputSize;

        _feedbackWidth = shape.OutputFeedback == RnnOutputFeedback.None ? 0 : shape.OutputSize;
        _inputWidth = _contextWidth + _vectorWidth + _feedbackWidth;

        // 1 vs N's decoder is the network's only recurrent stack: named rnn.*, as the tutorial's nn.RNN.
        string prefix = hasEncoder ? "decoder" : "rnn";
        CellDescription cell = RecurrentCells.Describe(shape.Cell);
        _layers = new RecurrentDirection[_layerCount];
        _scratch = new BackwardScratch[_layerCount];
        for (int layer = 0; layer < _layerCount; layer++)
        {
            int inputWidth = layer == 0 ? _inputWidth : _hidden;
            RecurrentParameters layerParameters = RecurrentParameters.Create(prefix, shape, layer, 0, inputWidth, offset);
            parameters.AddRange(layerParameters.Tensors);
            offset += layerParameters.Length;
            _layers[layer] = cell.CreateDirection(shape, layerParameters, inputWidth, 0, _hidden);
            _scratch[layer] = new BackwardScratch();
        }

        _head = new LinearProjection("head", _hidden, shape.OutputWidth, offset);
        parameters.AddRange([_head.Weight, _head.Bias]);
        Parameters = parameters;
        _layerOutputs = new float[_layerCount][];
        _dLayerOutputs = new float[_layerCount][];
        for (int layer = 0; layer < _layerCount; layer++)
        {
            _layerOutputs[layer] = [];
            _dLayerOutputs[layer] = [];
        }

        Reads = hasEncoder ? EncoderReads() : StackReads.Input;
    }

    public override HeadStructure Structure => HeadStructure.FixedSteps(Shape.OutputLength);

    public override IReadOnlyList<ParameterTensor> Parameters { get; }

    public override StackReads Reads { get; }

    private int Steps => Shape.OutputLength;

    private int Top => _layerCount - 1;

    private int StateSize => _batch * _hidden;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> targets, Span<float> output, int threads,
        CancellationToken cancellation, bool rowInvariant)
    {
        _batch = stack.Batch;
        int steps = Steps, batch = _batch, outputs = Shape.OutputWidth;
        Span<int> lengths = Buffers.Ensure(ref _lengths, batch);
        lengths.Fill(steps);
        bool feedsOwnOutput = _feedbackWidth > 0 && targets.IsEmpty;
        _stepByStep = _attention is not null || feedsOwnOutput;

        ReadOnlySpan<float> context = FormContext(parameters, stack, threads, cancellation, rowInvariant);

        // Row-invariant, each sequence gives the products over all decoder steps exactly `steps` rows, and one a step.
        int sequenceRows = rowInvariant ? steps : 0, stepRows = rowInvariant ? 1 : 0;
        ReadOnlySpan<float> initialHidden = default, initialCell = default;
        if (_startsFromEncoderLayers)
        {
            initialHidden = stack.LayerFinalHidden;
            initialCell = stack.LayerFinalCell;
        }
        else if (_startsFromContext)
        {
            Span<float> repeated = Buffers.Ensure(ref _initialHidden, _layerCount * StateSize);
            for (int layer = 0; layer < _layerCount; layer++)
                context.CopyTo(repeated.Slice(layer * StateSize, StateSize));
            initialHidden = repeated;
        }

        Span<float> input = Buffers.Ensure(ref _decoderInput, steps * batch * _inputWidth);
        FillKnownInputs(stack, context, targets, input);
        Span<float> timeMajor = Buffers.Ensure(ref _output, steps * batch * outputs);
        if (!_stepByStep)
        {
            for (int layer = 0; layer < _layerCount; layer++)
                _layers[layer].Forward(parameters, LayerInput(layer), lengths, steps, StateSlice(initialHidden, layer), StateSlice(initialCell, layer),
                    Buffers.Ensure(ref _layerOutputs[layer], steps * batch * _hidden), threads, cancellation, sequenceRows);
            _head.Forward(parameters, _layerOutputs[Top], steps * batch, timeMajor, threads, cancellation, sequenceRows);
        }
        else
        {
            for (int layer = 0; layer < _layerCount; layer++)
            {
                Buffers.Ensure(ref _layerOutputs[layer], steps * batch * _hidden);
                _layers[layer].Begin(lengths, steps, StateSlice(initialHidden, layer), StateSlice(initialCell, layer), rowInvariant);
            }

            int rowWidth = _inputWidth;
            for (int t = 0; t < steps; t++)
            {
                cancellation.ThrowIfCancellationRequested();
                Span<float> stepInput = input.Slice(t * batch * rowWidth, batch * rowWidth);
                _attention?.Context(t, _layers[Top].HiddenBefore(t), stack, stepInput, rowWidth);
                if (feedsOwnOutput && t > 0)
                    for (int b = 0; b < batch; b++)
                        // The first OutputSize values of a step are its outputs, or a distribution's means.
                        OutputFeedback.FromOutputs(Shape.OutputFeedback, timeMajor.Slice(((t - 1) * batch + b) * outputs, Shape.OutputSize),
                            stepInput.Slice(b * rowWidth + _contextWidth + _vectorWidth, _feedbackWidth));
                for (int layer = 0; layer < _layerCount; layer++)
                {
                    int width = layer == 0 ? rowWidth : _hidden;
                    ReadOnlySpan<float> layerInput = layer == 0 ? stepInput : _layerOutputs[layer - 1].AsSpan(t * batch * _hidden, batch * _hidden);
                    _layers[layer].Step(parameters, layerInput[..(batch * width)], t, _layerOutputs[layer]);
                }

                _head.Forward(parameters, _layerOutputs[Top].AsSpan(t * batch * _hidden, batch * _hidden), batch, timeMajor.Slice(t * batch * outputs, batch * outputs),
                    threads: 1, cancellation, stepRows);
            }
        }

        Layout.TimeMajorToBatchFirst(timeMajor, batch, steps, outputs, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, in StackGradient stackGradient, int threads, CancellationToken cancellation)
    {
        int steps = Steps, batch = _batch, outputs = Shape.OutputWidth, rows = steps * batch;
        Span<float> dTimeMajor = Buffers.Ensure(ref _dOutput, rows * outputs);
        Layout.BatchFirstToTimeMajor(dOutput, batch, steps, outputs, dTimeMajor);
        Span<float> dTop = Buffers.Ensure(ref _dLayerOutputs[Top], rows * _hidden);
        _head.Backward(parameters, _layerOutputs[Top].AsSpan(0, rows * _hidden), dTimeMajor, rows, gradients, dTop, threads, cancellation);
        Span<float> dInput = Buffers.Ensure(ref _dDecoderInput, rows * _inputWidth);
        ReadOnlySpan<int> lengths = _lengths.AsSpan(0, batch);

        Span<float> dPrevious = default;
        if (!_stepByStep)
        {
            for (int layer = Top; layer >= 0; layer--)
            {
                Span<float> dLayerInput = layer > 0 ? Buffers.Ensure(ref _dLayerOutputs[layer - 1], rows * _hidden) : dInput;
                _layers[layer].Backward(parameters, LayerInput(layer), lengths, _dLayerOutputs[layer].AsSpan(0, rows * _hidden), default, default, _scratch[layer],
                    gradients, dLayerInput, accumulateInputGradient: false, threads, cancellation);
            }
        }
        else
        {
            for (int layer = 0; layer < _layerCount; layer++)
            {
                if (layer < Top)
                    Buffers.Ensure(ref _dLayerOutputs[layer], rows * _hidden);
                _layers[layer].BeginBackward(default, default, _scratch[layer]);
            }

            _attention?.BeginBackward();
            dPrevious = Buffers.Ensure(ref _dPreviousState, StateSize);
            for (int t = steps - 1; t >= 0; t--)
            {
                cancellation.ThrowIfCancellationRequested();
                for (int layer = Top; layer >= 0; layer--)
                {
                    Span<float> dStepInput = layer > 0
                        ? _dLayerOutputs[layer - 1].AsSpan(t * batch * _hidden, batch * _hidden)
                        : dInput.Slice(t * batch * _inputWidth, batch * _inputWidth);
                    _layers[layer].BackwardStep(parameters, t, _dLayerOutputs[layer].AsSpan(0, rows * _hidden), _scratch[layer], dStepInput);
                }

                if (_attention is null)
                    continue;
                // c_t read s_{t−1}: its gradient joins the top layer's output at t − 1, or its initial state at t = 0.
                _attention.BackwardStep(t, dInput.Slice(t * batch * _inputWidth), _inputWidth, _layers[Top].HiddenBefore(t), stack, dPrevious, stackGradient.Steps);
                if (t > 0)
                {
                    Span<float> dTopBefore = dTop.Slice((t - 1) * batch * _hidden, batch * _hidden);
                    TensorPrimitives.Add(dTopBefore, dPrevious, dTopBefore);
                }
            }

            for (int layer = 0; layer < _layerCount; layer++)
                _layers[layer].FinishBackward(parameters, LayerInput(layer), _scratch[layer], gradients, threads, cancellation);
            _attention?.FinishBackward(parameters, stack, gradients, stackGradient.Steps, threads, cancellation);
        }

        BackwardToContext(parameters, stack, gradients, stackGradient, _attention is null ? default : dPrevious, threads, cancellation);
    }

    /// <summary>The context of each row, <c>[batch, context width]</c>: the encoder's top final state or its projection (none for attention or 1 vs N).</summary>
    private ReadOnlySpan<float> FormContext(ReadOnlySpan<float> parameters, in StackOutput stack, int threads, CancellationToken cancellation, bool rowInvariant)
    {
        if (_context is not null)
        {
            Span<float> projected = Buffers.Ensure(ref _contextValues, StateSize);
            _context.Forward(parameters, stack.FinalState, _batch, projected, threads, cancellation, rowInvariant ? 1 : 0);
            TensorPrimitives.Tanh(projected, projected);
            return projected;
        }

        if (_attention is not null)
        {
            _attention.Prepare(parameters, stack, Steps, threads, cancellation, rowInvariant);
            return default;
        }

        return stack.FinalState;
    }

    /// <summary>Every input part known before the decoder starts: the context or the row's vector, and fed-back targets.</summary>
    private void FillKnownInputs(in StackOutput stack, ReadOnlySpan<float> context, ReadOnlySpan<float> targets, Span<float> input)
    {
        int steps = Steps, batch = _batch, width = _inputWidth, outputs = Shape.OutputSize;
        int targetsPerStep = OutputFeedback.TargetsPerStep(Shape.OutputFeedback, outputs);
        bool everyStep = Shape.DecoderInput != RnnDecoderInput.InitialState;
        input.Clear();
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                Span<float> row = input.Slice((t * batch + b) * width, width);
                if (_contextWidth > 0 && _attention is null)
                    context.Slice(b * _contextWidth, _contextWidth).CopyTo(row);
                if (_vectorWidth > 0 && (everyStep || t == 0))
                    stack.Input.Slice(b * _vectorWidth, _vectorWidth).CopyTo(row[_contextWidth..]);
                if (_feedbackWidth > 0 && t > 0 && !targets.IsEmpty)
                    OutputFeedback.FromTargets(Shape.OutputFeedback, targets.Slice((b * steps + t - 1) * targetsPerStep, targetsPerStep),
                        row.Slice(_contextWidth + _vectorWidth, _feedbackWidth));
            }
    }

    /// <summary>
    /// d loss / d (what the decoder read of the encoder, or of the input): its initial states, the context at every step
    /// (attention has already given its own), through the projection; for 1 vs N, the row's input vector.
    /// </summary>
    private void BackwardToContext(ReadOnlySpan<float> parameters, in StackOutput stack, Span<float> gradients, in StackGradient stackGradient, ReadOnlySpan<float> dAttentionStart,
        int threads, CancellationToken cancellation)
    {
        int steps = Steps, batch = _batch, width = _inputWidth, stateSize = StateSize;
        ReadOnlySpan<float> dInput = _dDecoderInput.AsSpan(0, steps * batch * width);
        if (_vectorWidth > 0)
        {
            int entered = Shape.DecoderInput == RnnDecoderInput.InitialState ? 1 : steps;
            Span<float> dVector = stackGradient.Input;
            for (int t = 0; t < entered; t++)
                for (int b = 0; b < batch; b++)
                {
                    Span<float> target = dVector.Slice(b * _vectorWidth, _vectorWidth);
                    TensorPrimitives.Add(target, dInput.Slice((t * batch + b) * width + _contextWidth, _vectorWidth), target);
                }
            return;
        }

        Span<float> dContext = default;
        if (_context is not null || (_contextWidth > 0 && _attention is null))
        {
            int contextWidth = _context is not null ? _hidden : _contextWidth;
            dContext = Buffers.Ensure(ref _dContext, batch * contextWidth);
            dContext.Clear();
            if (_contextWidth > 0)
                for (int t = 0; t < steps; t++)
                    for (int b = 0; b < batch; b++)
                    {
                        Span<float> target = dContext.Slice(b * contextWidth, contextWidth);
                        TensorPrimitives.Add(target, dInput.Slice((t * batch + b) * width, contextWidth), target);
                    }
        }

        for (int layer = 0; layer < _layerCount; layer++)
        {
            ReadOnlySpan<float> dHidden = _layers[layer].InitialHiddenGradient(_scratch[layer], batch, _hidden);
            if (_startsFromEncoderLayers)
            {
                Span<float> target = stackGradient.LayerFinalHidden.Slice(layer * stateSize, stateSize);
                TensorPrimitives.Add(target, dHidden, target);
                if (layer == Top && !dAttentionStart.IsEmpty)
                    TensorPrimitives.Add(target, dAttentionStart, target);
                if (Shape.HasCellState)
                {
                    Span<float> cellTarget = stackGradient.LayerFinalCell.Slice(layer * stateSize, stateSize);
                    TensorPrimitives.Add(cellTarget, _layers[layer].InitialCellGradient(_scratch[layer], batch, _hidden), cellTarget);
                }
            }
            else if (_startsFromContext)
                TensorPrimitives.Add(dContext, dHidden, dContext);
        }

        if (_context is not null)
        {
            // c = tanh(W h_T + b): d pre = dc ⊙ (1 − c²).
            ReadOnlySpan<float> c = _contextValues.AsSpan(0, stateSize);
            for (int i = 0; i < dContext.Length; i++)
                dContext[i] *= 1f - c[i] * c[i];
            _context.Backward(parameters, stack.FinalState, dContext, batch, gradients, stackGradient.FinalState, threads, cancellation);
        }
        else if (!dContext.IsEmpty)
            TensorPrimitives.Add(stackGradient.FinalState, dContext, stackGradient.FinalState);
    }

    private StackReads EncoderReads()
    {
        StackReads reads = StackReads.None;
        if (_attention is not null)
            reads |= StackReads.Steps;
        if (_context is not null || (_contextWidth > 0 && _attention is null))
            reads |= StackReads.FinalState;
        if (_startsFromEncoderLayers)
            reads |= StackReads.LayerStates;
        return reads;
    }

    private ReadOnlySpan<float> LayerInput(int layer) => layer == 0
        ? _decoderInput.AsSpan(0, Steps * _batch * _inputWidth)
        : _layerOutputs[layer - 1].AsSpan(0, Steps * _batch * _hidden);

    private ReadOnlySpan<float> StateSlice(ReadOnlySpan<float> state, int layer) =>
        state.IsEmpty ? default : state.Slice(layer * StateSize, StateSize);
}
