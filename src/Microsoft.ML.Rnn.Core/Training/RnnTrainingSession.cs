using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Trains an <see cref="RnnNetwork"/> in place, one batch per call: forward, loss, back-propagation through time,
/// clipping, optimizer step. Buffers are reused, so a step allocates nothing once the largest batch has been seen.
/// </summary>
public sealed class RnnTrainingSession
{
    private readonly RnnNetwork _network;
    private readonly RnnTrainingOptions _options;
    private readonly RnnComputation _computation;
    private readonly Optimizer _optimizer;
    private readonly float[] _gradients;
    private float[] _outputGradient = [];
    private float[] _carriedHidden = [];
    private float[] _carriedCell = [];
    private int _carriedBatch;
    private long _checkedRowSteps;

    /// <summary>Starts training <paramref name="network"/> with <paramref name="options"/> (copied; later changes have no effect).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="network"/> belongs to a trained model (<see cref="RnnNetwork.IsReadOnly"/>); train a <see cref="RnnNetwork.Clone"/>.</exception>
    public RnnTrainingSession(RnnNetwork network, RnnTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        network.ThrowIfReadOnly();
        _network = network;
        _options = options.Clone();
        if (_options.Stateful && network.Shape.HasDecoder)
            throw new ArgumentException(
                $"Stateful training carries each sequence's final state into the next batch, but a {network.Shape.Head} network's decoder starts from its context; " +
                "set Stateful to false.", nameof(options));
        if (_options.Loss == RnnLoss.SoftmaxCrossEntropy && network.Shape.OutputSize < 2)
            throw new ArgumentException($"Softmax cross-entropy needs at least 2 classes; the network has OutputSize {network.Shape.OutputSize}.", nameof(options));
        RnnDistribution lossDistribution = DistributionParameters.Of(_options.Loss);
        if (lossDistribution != network.Shape.Distribution)
            throw new ArgumentException(
                lossDistribution == RnnDistribution.None
                    ? $"The loss is {_options.Loss}, a point loss, but the network predicts a {network.Shape.Distribution} distribution; use {LossFor(network.Shape.Distribution)}."
                    : $"The loss is {_options.Loss}, which needs a network with Distribution {lossDistribution}; the network has Distribution {network.Shape.Distribution}.",
                nameof(options));
        // Before the gradient and the optimizer's state are allocated: refuse what obviously cannot fit.
        MemoryEstimate.ThrowIfTrainingDoesNotFit(network.Shape, _options, batch: 0, steps: 0, MemoryEstimate.AvailableBytes);
        _computation = new RnnComputation(network, _options.Threads, _options.Seed);
        _optimizer = Optimizer.Create(_options, network.Layout.TotalLength);
        _gradients = new float[network.Layout.TotalLength];
    }

    /// <summary>The negative log-likelihood loss that trains a network predicting <paramref name="distribution"/>.</summary>
    internal static RnnLoss LossFor(RnnDistribution distribution) =>
        distribution == RnnDistribution.StudentT ? RnnLoss.StudentTNegativeLogLikelihood : RnnLoss.NormalNegativeLogLikelihood;

    /// <summary>
    /// The optimizer's step size from the next step on; starts as <see cref="RnnTrainingOptions.LearningRate"/>. Changing it
    /// between steps is how a learning-rate schedule runs; the optimizer's state (momentum, Adam's moments and bias
    /// correction) carries on unchanged, as when a PyTorch scheduler sets a parameter group's <c>lr</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float LearningRate
    {
        get => _optimizer.LearningRate;
        set
        {
            // 0 is allowed: a schedule may end there, as PyTorch's cosine annealing does with eta_min = 0.
            if (!(value >= 0 && float.IsFinite(value)))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be finite and ≥ 0.");
            _optimizer.LearningRate = value;
        }
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The final hidden state of the last pass, <c>[layers·directions, batch, hidden]</c> (PyTorch's <c>h_n</c>).</summary>
    public ReadOnlySpan<float> FinalHidden => _computation.FinalHidden;

    /// <summary>The gradient of the last <see cref="TrainStep(SequenceBatch, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, CancellationToken)"/>, after clipping, laid out as the network's parameters.</summary>
    public ReadOnlySpan<float> Gradients => _gradients;

    /// <summary>
    /// One optimizer step on a batch. Returns the mean loss before the step.
    /// </summary>
    /// <param name="batch">The sequences.</param>
    /// <param name="targets">N vs 1: <c>[batch, outputs]</c>; N vs N: <c>[batch, steps, outputs]</c> (padded steps ignored).
    /// For softmax cross-entropy one class index per row instead: <c>[batch]</c> or <c>[batch, steps]</c>.</param>
    /// <param name="initialHidden">Initial hidden state <c>[layers·directions, batch, hidden]</c>; when empty, zeros or (stateful) the carried state.</param>
    /// <param name="initialCell">LSTM initial cell state, same shape; when empty, zeros or (stateful) the carried state.</param>
    /// <exception cref="InvalidOperationException">The loss or the gradient is not finite; the parameters are left as they were.</exception>
    /// <exception cref="InsufficientMemoryException">The first batch of this size would obviously not fit in the machine's memory (the message says what it needs).</exception>
    public float TrainStep(SequenceBatch batch, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell) =>
        TrainStep(batch, targets, initialHidden, initialCell, default, CancellationToken.None);

    /// <summary>
    /// One optimizer step on a batch. Returns the mean loss before the step. <paramref name="cancellationToken"/> is
    /// checked at every time step of the forward and backward passes and inside the matrix products over all steps, so a
    /// cancelled step stops within a time step (or about a millisecond of a product).
    /// </summary>
    /// <param name="batch">The sequences.</param>
    /// <param name="targets">N vs 1: <c>[batch, outputs]</c>; N vs N: <c>[batch, steps, outputs]</c> (padded steps ignored).
    /// For softmax cross-entropy one class index per row instead: <c>[batch]</c> or <c>[batch, steps]</c>.</param>
    /// <param name="initialHidden">Initial hidden state <c>[layers·directions, batch, hidden]</c>; when empty, zeros or (stateful) the carried state.</param>
    /// <param name="initialCell">LSTM initial cell state, same shape; when empty, zeros or (stateful) the carried state.</param>
    /// <param name="rowWeights">One weight per row (finite, ≥ 0): the loss becomes the weighted mean over the rows' real
    /// positions, each N vs N row's steps sharing its weight. Empty (the default): the unweighted mean, bit for bit.</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    /// <exception cref="OperationCanceledException">The step was cancelled; the parameters, the optimizer's state,
    /// <see cref="StepCount"/> and the carried state are left as they were.</exception>
    /// <exception cref="InvalidOperationException">The loss or the gradient is not finite; the parameters are left as they were.</exception>
    /// <exception cref="InsufficientMemoryException">The first batch of this size would obviously not fit in the machine's memory (the message says what it needs).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float TrainStep(SequenceBatch batch, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialHidden = default, ReadOnlySpan<float> initialCell = default,
        ReadOnlySpan<float> rowWeights = default, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckMemory(batch);
        if (initialHidden.IsEmpty && _options.Stateful && _carriedBatch == batch.BatchSize)
        {
            int stateLength = _computation.FinalHidden.Length;
            initialHidden = _carriedHidden.AsSpan(0, stateLength);
            if (_network.Shape.HasCellState)
                initialCell = _carriedCell.AsSpan(0, stateLength);
        }

        // A decoder that feeds back its previous output trains on the true previous targets (teacher forcing).
        ReadOnlySpan<float> output = _computation.Forward(batch, training: true, initialHidden, initialCell, cancellationToken, targets);

        Span<float> dOutput = Buffers.Ensure(ref _outputGradient, output.Length);
        float loss = LossFunction.Compute(_options.Loss, _network.Shape.HeadStructure, output, targets, batch.Lengths, batch.Steps, _network.Shape.OutputSize, dOutput,
            rowWeights);
        long step = StepCount + 1;
        if (!float.IsFinite(loss))
            throw new InvalidOperationException($"Training step {step}: the loss is {loss}. The parameters were not updated; lower the learning rate, clip gradients, or check the data.");

        _computation.Backward(dOutput, _gradients, cancellation: cancellationToken);
        float norm = GradientClipping.GlobalNorm(_gradients);
        if (!float.IsFinite(norm))
            throw new InvalidOperationException($"Training step {step}: the gradient norm is {norm}. The parameters were not updated; lower the learning rate, clip gradients, or check the data.");
        if (_options.GradientClipNorm > 0f)
            GradientClipping.Clip(_gradients, norm, _options.GradientClipNorm);

        // Nothing is checked from here on: a step either changes nothing or is applied whole.
        _optimizer.Step(_network.Values, _gradients);
        StepCount = step;
        if (_options.Stateful)
            CarryState(batch.BatchSize);
        return loss;
    }

    /// <summary>The mean loss on a batch, with no update and no dropout (and no carried state).</summary>
    public float Evaluate(SequenceBatch batch, ReadOnlySpan<float> targets) => Evaluate(batch, targets, CancellationToken.None);

    /// <summary>
    /// The mean loss on a batch, with no update and no dropout (and no carried state); <paramref name="cancellationToken"/>
    /// is checked at every time step and inside the matrix products over all steps.
    /// </summary>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    public float Evaluate(SequenceBatch batch, ReadOnlySpan<float> targets, CancellationToken cancellationToken) =>
        Evaluate(batch, targets, default, cancellationToken);

    /// <summary>
    /// The loss on a batch, weighted by <paramref name="rowWeights"/> as in <see cref="TrainStep(SequenceBatch, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, CancellationToken)"/>
    /// (empty: the unweighted mean), with no update and no dropout (and no carried state); a decoder that feeds back its
    /// previous output feeds back its own, as when scoring (free running). <paramref name="cancellationToken"/>
    /// is checked at every time step and inside the matrix products over all steps.
    /// </summary>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Evaluate(SequenceBatch batch, ReadOnlySpan<float> targets, ReadOnlySpan<float> rowWeights, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> output = _computation.Forward(batch, cancellation: cancellationToken);
        Span<float> dOutput = Buffers.Ensure(ref _outputGradient, output.Length);
        return LossFunction.Compute(_options.Loss, _network.Shape.HeadStructure, output, targets, batch.Lengths, batch.Steps, _network.Shape.OutputSize, dOutput,
            rowWeights);
    }

    /// <summary>Stateful mode: the next batch starts from zeros again.</summary>
    public void ResetState() => _carriedBatch = 0;

    /// <summary>Refuses a batch larger than any so far (rows × steps) whose step would obviously not fit in memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckMemory(SequenceBatch batch)
    {
        long rowSteps = (long)batch.BatchSize * batch.Steps;
        if (rowSteps <= _checkedRowSteps)
            return;
        MemoryEstimate.ThrowIfTrainingDoesNotFit(_network.Shape, _options, batch.BatchSize, batch.Steps, MemoryEstimate.AvailableBytes);
        _checkedRowSteps = rowSteps;
    }

    private void CarryState(int batchSize)
    {
        _computation.FinalHidden.CopyTo(Buffers.Ensure(ref _carriedHidden, _computation.FinalHidden.Length));
        if (_network.Shape.HasCellState)
            _computation.FinalCell.CopyTo(Buffers.Ensure(ref _carriedCell, _computation.FinalCell.Length));
        _carriedBatch = batchSize;
    }
}
