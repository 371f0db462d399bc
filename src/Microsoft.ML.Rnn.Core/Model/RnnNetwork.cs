using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A recurrent network: a stack of RNN, LSTM or GRU layers (optionally bidirectional) and a linear head, with its
/// parameters in one flat vector named as PyTorch's <c>state_dict</c> for a module with fields <c>rnn</c>
/// (<c>batch_first=True</c>) and <c>head</c> (<c>nn.Linear</c>).
/// </summary>
public sealed class RnnNetwork
{
    /// <summary>Most bytes of batch buffers the network keeps between batch predictions.</summary>
    internal const long MaxRetainedBatchBytes = 64L << 20;

    private readonly ThreadLocal<PredictionWorkspace> _prediction;
    private RnnComputation? _batchComputation;

    /// <summary>Creates a network with seeded parameters.</summary>
    /// <param name="shape">The architecture.</param>
    /// <param name="seed">Seed of the parameter draw.</param>
    /// <param name="initialization">How parameters are drawn; PyTorch's defaults when null.</param>
    public RnnNetwork(RnnNetworkShape shape, int seed, RnnInitialization? initialization = null)
        : this(shape)
    {
        (initialization ?? RnnInitialization.PyTorchDefault).Fill(Layout, Values, seed);
    }

    private RnnNetwork(RnnNetworkShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Layout = new ParameterLayout(shape);
        Shape = shape;
        Values = new float[Layout.TotalLength];
        _prediction = new ThreadLocal<PredictionWorkspace>(() => new PredictionWorkspace(this));
    }

    /// <summary>The architecture.</summary>
    public RnnNetworkShape Shape { get; }

    /// <summary>Where each named parameter lives in <see cref="Parameters"/>.</summary>
    internal ParameterLayout Layout { get; }

    /// <summary>
    /// Every parameter, flat, in <c>state_dict</c> order (the order of <see cref="ParameterShapes"/>). Read-only:
    /// <see cref="WithParameters"/> gives a network with other values.
    /// </summary>
    public ReadOnlySpan<float> Parameters => Values;

    /// <summary>
    /// True for a network that a trained model holds (<c>RnnTransformer.Network</c>): it may be scoring on other
    /// threads, so nothing may change it in place; <see cref="Clone"/> or <see cref="WithParameters"/> give a copy to change.
    /// </summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>Parameter names and their PyTorch shapes, in <c>state_dict</c> order.</summary>
    public IReadOnlyList<(string Name, int[] Shape)> ParameterShapes => Layout.Tensors.Select(t => (t.Name, t.Shape)).ToArray();

    internal float[] Values { get; }

    /// <summary>Output values of one sequence of <paramref name="steps"/> steps: outputs for N vs 1, steps × outputs for N vs N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OutputLength(int steps) => Shape.HeadStructure.OutputSteps(steps) * Shape.OutputWidth;

    /// <summary>Copies the parameters out by PyTorch <c>state_dict</c> name, each row-major with PyTorch's shape.</summary>
    public IReadOnlyDictionary<string, float[]> ExportParameters()
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (ParameterTensor tensor in Layout.Tensors)
            result[tensor.Name] = tensor.In(Values).ToArray();
        return result;
    }

    /// <summary>
    /// Replaces every parameter from a PyTorch-named dictionary (for example a <c>state_dict</c> exported from PyTorch).
    /// Every name must be present, known and of the right length; nothing changes unless all are.
    /// </summary>
    /// <exception cref="ArgumentException">A name is unknown or missing, a length differs from PyTorch's shape, or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">The network is <see cref="IsReadOnly"/>.</exception>
    public void ImportParameters(IReadOnlyDictionary<string, float[]> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ThrowIfReadOnly();
        foreach ((string name, float[] values) in parameters)
        {
            if (!Layout.TryGet(name, out ParameterTensor tensor))
                throw new ArgumentException(
                    $"Unknown parameter '{name}'; this {Shape.Cell} network has {string.Join(", ", Layout.Tensors.Select(t => t.Name))}.", nameof(parameters));
            if (values is null || values.Length != tensor.Length)
                throw new ArgumentException(
                    $"Parameter '{name}' has {values?.Length ?? 0} values; expected {tensor.Length} (shape [{string.Join(", ", tensor.Shape)}]).", nameof(parameters));
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new ArgumentException($"Parameter '{name}' holds {values[i]} at index {i}; expected finite values.", nameof(parameters));
        }

        string[] missing = Layout.Tensors.Where(t => !parameters.ContainsKey(t.Name)).Select(t => t.Name).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"Missing parameters: {string.Join(", ", missing)}.", nameof(parameters));

        foreach (ParameterTensor tensor in Layout.Tensors)
            parameters[tensor.Name].AsSpan().CopyTo(tensor.In(Values.AsSpan()));
    }

    /// <summary>A new network of the same shape with parameters from a PyTorch-named dictionary; this one is unchanged.</summary>
    /// <exception cref="ArgumentException">As <see cref="ImportParameters"/>.</exception>
    public RnnNetwork WithParameters(IReadOnlyDictionary<string, float[]> parameters) => FromParameters(Shape, parameters);

    /// <summary>A network of <paramref name="shape"/> holding exactly <paramref name="parameters"/>, with no initial draw to overwrite.</summary>
    /// <exception cref="ArgumentException">As <see cref="ImportParameters"/>.</exception>
    internal static RnnNetwork FromParameters(RnnNetworkShape shape, IReadOnlyDictionary<string, float[]> parameters)
    {
        var network = new RnnNetwork(shape);
        network.ImportParameters(parameters);
        return network;
    }

    /// <summary>A deep copy: same shape, same parameter values; never read-only.</summary>
    public RnnNetwork Clone()
    {
        var clone = new RnnNetwork(Shape);
        Values.CopyTo(clone.Values, 0);
        return clone;
    }

    /// <summary>
    /// Runs one sequence and writes the head's raw outputs (logits for classification) to <paramref name="output"/>.
    /// Thread-safe, and allocation-free after a thread's first call with the longest sequence, for sequences whose
    /// buffers stay under 4 MB (an LSTM of hidden size 64: about 2,000 steps); a thread does not keep longer ones' buffers.
    /// </summary>
    /// <param name="sequence">Time-major values: step 0's features, then step 1's; its length is a positive multiple of the input size.</param>
    /// <param name="output"><see cref="OutputLength"/> values.</param>
    public void Predict(ReadOnlySpan<float> sequence, Span<float> output)
    {
        int inputSize = Shape.InputSize;
        if (sequence.IsEmpty || sequence.Length % inputSize != 0)
            throw new ArgumentException(
                $"The sequence holds {sequence.Length} values; expected a positive multiple of the input size {inputSize}.", nameof(sequence));
        int steps = sequence.Length / inputSize;
        if (output.Length != OutputLength(steps))
            throw new ArgumentException($"The output holds {output.Length} values; expected {OutputLength(steps)} for {steps} steps.", nameof(output));
        _prediction.Value!.Run(sequence, steps, output);
    }

    /// <summary>
    /// Runs a batch of sequences and writes each one's raw head outputs (logits for classification): for every
    /// sequence, bit for bit what <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> gives it alone, whatever the
    /// batch's size, the other sequences' lengths and <paramref name="threads"/>. Thread-safe; the buffers of one call at a
    /// time are kept for the next (up to 64 MB), so repeated batches of one size from one thread allocate nothing.
    /// </summary>
    /// <param name="batch">The sequences, batch-first, each padded after its own length to <see cref="SequenceBatch.Steps"/>.</param>
    /// <param name="outputs">
    /// <c>batch × OutputLength(batch.Steps)</c> values, row after row. For N vs N a row's first <c>OutputLength(length)</c>
    /// values are its outputs and those of its padded steps mean nothing.
    /// </param>
    /// <param name="threads">Threads the batch may use; blocks of rows run in parallel.</param>
    /// <exception cref="ArgumentException">The batch does not fit the network, or <paramref name="outputs"/> has the wrong length.</exception>
    public void Predict(SequenceBatch batch, Span<float> outputs, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        batch.Validate(Shape.InputSize);
        long expected = (long)batch.BatchSize * OutputLength(batch.Steps);
        if (outputs.Length != expected)
            throw new ArgumentException(
                $"The outputs hold {outputs.Length} values; expected batch {batch.BatchSize} × {OutputLength(batch.Steps)} per sequence of {batch.Steps} steps = {expected}.",
                nameof(outputs));

        // One kept computation: a caller takes it (others meanwhile make their own) and puts it back if still small enough.
        RnnComputation? computation = Interlocked.Exchange(ref _batchComputation, null);
        if (computation is null || computation.Threads != threads)
            computation = new RnnComputation(this, threads, rowInvariant: true);
        computation.Forward(batch).CopyTo(outputs);
        long bytes = sizeof(float) * MemoryEstimate.ActivationFloats(Shape, batch.BatchSize, batch.Steps, training: false);
        if (bytes <= MaxRetainedBatchBytes)
            _batchComputation = computation;
    }

    /// <summary>Marks the network as held by a trained model (see <see cref="IsReadOnly"/>).</summary>
    internal RnnNetwork AsReadOnly()
    {
        IsReadOnly = true;
        return this;
    }

    /// <summary>Refuses an in-place change of a read-only network.</summary>
    internal void ThrowIfReadOnly()
    {
        if (IsReadOnly)
            throw new InvalidOperationException(
                "This network belongs to a trained model, which may be scoring on other threads; it cannot change in place. " +
                "Use Clone() or WithParameters(...) for a copy to change.");
    }

    /// <summary>
    /// One thread's computation for single-sequence prediction. Its buffers grow with the longest sequence seen; scoring
    /// threads live long (a thread pool's), so after a sequence whose buffers pass <see cref="MaxRetainedBytes"/> the
    /// computation is let go, and the next call grows a new one to its own size.
    /// </summary>
    private sealed class PredictionWorkspace(RnnNetwork network)
    {
        /// <summary>Most bytes of sequence buffers a thread keeps between calls (16 threads: 64 MB).</summary>
        internal const long MaxRetainedBytes = 4L << 20;

        private readonly long _bytesPerStep = sizeof(float) * MemoryEstimate.ActivationFloats(network.Shape, rows: 1, steps: 1, training: false);
        private readonly int[] _length = new int[1];
        private RnnComputation? _computation;

        public void Run(ReadOnlySpan<float> sequence, int steps, Span<float> output)
        {
            _length[0] = steps;
            _computation ??= new RnnComputation(network, rowInvariant: true);
            _computation.Forward(new SequenceBatch(sequence, _length, steps)).CopyTo(output);
            if (steps * _bytesPerStep > MaxRetainedBytes)
                _computation = null;
        }
    }
}
