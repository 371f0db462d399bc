using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Forward and backward passes of an <see cref="RnnNetwork"/> over batches, with every buffer kept and reused:
/// after the first batch of the largest shape, a pass allocates nothing. Not thread-safe; use one per thread.
/// </summary>
/// <remarks>
/// A batch is cut into blocks of about <see cref="RowsPerBlock"/> rows (at least <see cref="MinRowsPerBlock"/>), and
/// each block runs the whole network on its own (<see cref="RowBlock"/>), on as many threads as allowed; the blocks'
/// parameter gradients are then summed in block order. Rows never interact, so the only data that crosses cores is the parameters (read) and the gradients (once
/// per backward pass), where splitting each time step would hand off twice per step (on the 2-core benchmark machine
/// a cache line takes ~0.4 µs to move between cores). The cut depends only on the batch size and the network's
/// shape, never on the thread count, and every block computes its rows the same way on any thread: results are
/// bit-identical whatever the thread count.
/// </remarks>
internal sealed class RnnComputation
{
    /// <summary>
    /// Rows in a block. Measured at batch 64 × hidden 128 on one thread: two blocks of 32 trained 4–8% faster than
    /// one of 64 (each block's buffers stay closer in cache) and 5% faster than four of 16 (fuller GEMM tiles).
    /// </summary>
    private const int RowsPerBlock = 32;

    /// <summary>Fewest rows in a block: a batch of 32 to 63 is still cut in two, so that two threads share it.</summary>
    private const int MinRowsPerBlock = 16;

    /// <summary>
    /// Most blocks. Each block but the first keeps a gradient the size of the parameters, so this bounds that memory
    /// (a batch of 512 runs as 8 blocks of 64 rows) while leaving blocks for up to 8 threads.
    /// </summary>
    private const int MaxBlocks = 8;

    /// <summary>
    /// Fewest multiply-adds in one block's forward pass: below this (~10 µs of arithmetic) a block is not worth a
    /// thread hand-off and a gradient of its own to sum.
    /// </summary>
    private const long MinWorkPerBlock = 1L << 21;

    private readonly RnnNetwork _network;
    private readonly RnnNetworkShape _shape;
    private readonly Random _dropoutRandom;
    private readonly float[][] _dropoutMasks;
    private RowBlock[] _blocks = [];
    private float[] _output = [];
    private float[] _finalHidden = [];
    private float[] _finalCell = [];
    private int _batch;
    private int _steps;
    private int _blockCount;
    private bool _hasForward;
    private bool _freeRunning;

    /// <summary>Creates a computation for <paramref name="network"/>.</summary>
    /// <param name="network">The network whose parameters the passes read.</param>
    /// <param name="threads">Threads a pass may use; 1 keeps everything on the calling thread.</param>
    /// <param name="dropoutSeed">Seed of the dropout masks drawn during training passes.</param>
    /// <param name="rowInvariant">
    /// Scoring only: every forward pass gives each row the bits it gets alone, whatever the batch (sizes, other rows'
    /// lengths, threads); such a computation cannot train.
    /// </param>
    public RnnComputation(RnnNetwork network, int threads = 1, int dropoutSeed = 0, bool rowInvariant = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _network = network;
        _shape = network.Shape;
        Threads = threads;
        RowInvariant = rowInvariant;
        _dropoutRandom = new Random(dropoutSeed);
        _dropoutMasks = new float[Math.Max(0, _shape.EncoderLayers - 1)][];
        for (int i = 0; i < _dropoutMasks.Length; i++)
            _dropoutMasks[i] = [];
    }

    /// <summary>Threads a pass may use.</summary>
    public int Threads { get; }

    /// <summary>Whether forward passes are row-invariant (scoring only; see the constructor).</summary>
    public bool RowInvariant { get; }

    /// <summary>The network this computation runs.</summary>
    public RnnNetwork Network => _network;

    /// <summary>The final hidden state of every layer and direction after the last forward pass, <c>[layers·directions, batch, hidden]</c> (PyTorch's <c>h_n</c>).</summary>
    public ReadOnlySpan<float> FinalHidden => _finalHidden.AsSpan(0, StateLength);

    /// <summary>LSTM: the final cell state, <c>[layers·directions, batch, hidden]</c> (PyTorch's <c>c_n</c>); empty for other cells.</summary>
    public ReadOnlySpan<float> FinalCell => _shape.HasCellState ? _finalCell.AsSpan(0, StateLength) : default;

    private int StateSlices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _shape.EncoderLayers * _shape.Directions;
    }

    private int StateLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => StateSlices * _batch * _shape.HiddenSize;
    }

    /// <summary>Threads inside one block: all of them when there is one block, else one per block.</summary>
    private int ThreadsPerBlock => _blockCount == 1 ? Threads : 1;

    /// <summary>
    /// Runs the network over a batch and returns the head's raw outputs: <c>[batch, outputs]</c> for N vs 1,
    /// <c>[batch, steps, outputs]</c> for N vs N. The span stays valid until the next pass.
    /// </summary>
    /// <param name="batch">The sequences.</param>
    /// <param name="training">Applies dropout between layers when the network has any.</param>
    /// <param name="initialHidden">Initial hidden state <c>[layers·directions, batch, hidden]</c>, or empty for zeros.</param>
    /// <param name="initialCell">LSTM initial cell state, same shape, or empty for zeros.</param>
    /// <param name="cancellation">Checked at every time step and inside the products over all steps; a cancelled pass throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="targets">
    /// For a decoder that feeds back its previous output (<see cref="RnnNetworkShape.OutputFeedback"/>): the targets, as
    /// the loss takes them, fed back in its place (teacher forcing); empty to feed back its own outputs. A backward
    /// pass needs them. Ignored by other heads.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Forward(SequenceBatch batch, bool training = false, ReadOnlySpan<float> initialHidden = default, ReadOnlySpan<float> initialCell = default,
        CancellationToken cancellation = default, ReadOnlySpan<float> targets = default)
    {
        batch.Validate(_shape.InputSize);
        if (RowInvariant && training)
            throw new InvalidOperationException("A row-invariant computation scores only; training passes plan their products by shape.");
        if (_shape.EncoderLayers == 0 && batch.Steps != 1)
            throw new ArgumentException($"Steps is {batch.Steps}; a OneToMany network takes one input vector per sequence, so expected 1.", "steps");
        bool teacherForced = _shape.OutputFeedback != RnnOutputFeedback.None && !targets.IsEmpty;
        if (teacherForced)
            CheckLength(targets.Length, batch.BatchSize * _shape.OutputLength * OutputFeedback.TargetsPerStep(_shape.OutputFeedback, _shape.OutputSize), nameof(targets));
        _batch = batch.BatchSize;
        _steps = batch.Steps;
        CheckState(initialHidden, nameof(initialHidden));
        CheckState(initialCell, nameof(initialCell));
        if (!initialCell.IsEmpty && !_shape.HasCellState)
            throw new ArgumentException($"An initial cell state was given, but only LSTM has one; this network is {_shape.Cell}.", nameof(initialCell));

        // Masks are drawn for the whole batch, layer by layer, so they do not depend on how the batch is cut.
        bool dropout = training && _shape.Dropout > 0f;
        if (dropout)
            foreach (ref float[] mask in _dropoutMasks.AsSpan())
                DropoutMask.Draw(_shape.Dropout, _dropoutRandom, Buffers.Ensure(ref mask, _steps * _batch * _shape.TopWidth));

        _blockCount = BlockCount(_shape, _batch, _steps);
        if (_blocks.Length < _blockCount)
        {
            int created = _blocks.Length;
            Array.Resize(ref _blocks, _blockCount);
            for (int i = created; i < _blockCount; i++)
                _blocks[i] = new RowBlock(_network);
        }

        var work = new ForwardWork(_blocks, new RowBlockInputs
        {
            Parameters = _network.Values,
            Inputs = batch.Inputs,
            Lengths = batch.Lengths,
            Steps = _steps,
            InitialHidden = initialHidden,
            InitialCell = initialCell,
            DropoutMasks = dropout ? _dropoutMasks : null,
            Targets = teacherForced ? targets : default,
            Cancellation = cancellation,
            RowInvariant = RowInvariant,
        }, ThreadsPerBlock);
        RunBlocks(ref work);

        int perRow = _network.OutputLength(_steps);
        Span<float> output = Buffers.Ensure(ref _output, _batch * perRow);
        Span<float> finalHidden = Buffers.Ensure(ref _finalHidden, StateLength);
        Span<float> finalCell = _shape.HasCellState ? Buffers.Ensure(ref _finalCell, StateLength) : default;
        for (int index = 0; index < _blockCount; index++)
        {
            (int first, _) = ParallelWorkers.PartRange(_batch, index, _blockCount);
            RowBlock block = _blocks[index];
            block.Output.CopyTo(output[(first * perRow)..]);
            if (StateSlices == 0)
                continue; // 1 vs N: no stack over the input, no final states
            Layout.PlaceRows(block.FinalHidden, StateSlices, _batch, first, _shape.HiddenSize, finalHidden);
            if (!finalCell.IsEmpty)
                Layout.PlaceRows(block.FinalCell, StateSlices, _batch, first, _shape.HiddenSize, finalCell);
        }

        _hasForward = true;
        _freeRunning = _shape.OutputFeedback != RnnOutputFeedback.None && !teacherForced;
        return output;
    }

    /// <summary>
    /// Back-propagates through time from the gradient of the loss with respect to the last forward pass's outputs.
    /// Writes d loss / d parameter into <paramref name="parameterGradient"/> (overwriting; laid out as the network's
    /// parameters) and, when not empty, d loss / d input into <paramref name="inputGradient"/> (<c>[batch, steps, inputSize]</c>,
    /// zero at padded steps). Gradients arriving at padded steps' outputs are ignored. <paramref name="cancellation"/> is
    /// checked at every time step and inside the products over all steps; a cancelled pass throws <see cref="OperationCanceledException"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<float> outputGradient, Span<float> parameterGradient, Span<float> inputGradient = default,
        CancellationToken cancellation = default)
    {
        if (RowInvariant)
            throw new InvalidOperationException("A row-invariant computation scores only; create one without rowInvariant to train.");
        if (!_hasForward)
            throw new InvalidOperationException("Backward needs a forward pass first.");
        if (_freeRunning)
            throw new InvalidOperationException(
                "Backward needs a forward pass given the targets: this decoder feeds back its previous output, and trains on the true previous targets (teacher forcing).");
        int parameterCount = _network.Layout.TotalLength;
        CheckLength(outputGradient.Length, _batch * _network.OutputLength(_steps), nameof(outputGradient));
        CheckLength(parameterGradient.Length, parameterCount, nameof(parameterGradient));
        if (!inputGradient.IsEmpty)
            CheckLength(inputGradient.Length, _batch * _steps * _shape.InputSize, nameof(inputGradient));

        var work = new BackwardWork(this, outputGradient, parameterGradient, inputGradient, cancellation);
        RunBlocks(ref work);
        for (int index = 1; index < _blockCount; index++)
            Elementwise.Add(parameterGradient, _blocks[index].OwnGradients(parameterCount), parameterGradient);
    }

    /// <summary>How many blocks a batch of <paramref name="batch"/> rows and <paramref name="steps"/> steps is cut into: from its size and the network's shape only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int BlockCount(RnnNetworkShape shape, int batch, int steps)
    {
        int hidden = shape.HiddenSize, gateWidth = shape.GateCount * hidden;
        long workPerRow = (long)steps * shape.EncoderLayers * shape.Directions * gateWidth * (hidden + Math.Max(shape.InputSize, shape.TopWidth));
        if (shape.HasDecoder)
            workPerRow += (long)shape.OutputLength * shape.NumberOfLayers * gateWidth * (2 * hidden + shape.OutputWidth); // the decoder, roughly
        long byWork = batch * workPerRow / MinWorkPerBlock;
        int byRows = Math.Max(Math.Min(batch / MinRowsPerBlock, 2), (batch + RowsPerBlock / 2) / RowsPerBlock);
        return (int)Math.Clamp(Math.Min(byRows, byWork), 1, MaxBlocks);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBlocks<T>(ref T work)
        where T : struct, IParallelWork, allows ref struct =>
        ParallelWorkers.Run(ref work, _blockCount, Threads);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckState(ReadOnlySpan<float> state, string name)
    {
        if (!state.IsEmpty)
            CheckLength(state.Length, StateLength, name);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} holds {actual} values; expected {expected}.", name);
    }

    /// <summary>The forward pass of every block.</summary>
    private readonly ref struct ForwardWork(RowBlock[] blocks, RowBlockInputs batch, int threadsPerBlock) : IParallelWork
    {
        private readonly RowBlockInputs _batch = batch;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part, int partCount)
        {
            (int first, int end) = ParallelWorkers.PartRange(_batch.BatchSize, part, partCount);
            blocks[part].Forward(_batch, first, end, threadsPerBlock);
        }
    }

    /// <summary>The backward pass of every block; block 0 writes the caller's gradient, the others their own.</summary>
    private readonly ref struct BackwardWork(RnnComputation computation, ReadOnlySpan<float> outputGradient, Span<float> parameterGradient, Span<float> inputGradient,
        CancellationToken cancellation) : IParallelWork
    {
        private readonly ReadOnlySpan<float> _outputGradient = outputGradient;
        private readonly Span<float> _parameterGradient = parameterGradient;
        private readonly Span<float> _inputGradient = inputGradient;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part, int partCount)
        {
            RnnComputation c = computation;
            (int first, int end) = ParallelWorkers.PartRange(c._batch, part, partCount);
            int rows = end - first, perRow = c._network.OutputLength(c._steps), inputPerRow = c._steps * c._shape.InputSize;
            c._blocks[part].Backward(c._network.Values, _outputGradient.Slice(first * perRow, rows * perRow),
                part == 0 ? _parameterGradient : default, _parameterGradient.Length,
                _inputGradient.IsEmpty ? default : _inputGradient.Slice(first * inputPerRow, rows * inputPerRow), c.ThreadsPerBlock, cancellation);
        }
    }
}
