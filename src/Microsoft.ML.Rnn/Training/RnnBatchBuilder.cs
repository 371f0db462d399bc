using System.Runtime.CompilerServices;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Assembles batches for the core from an <see cref="RnnSequenceSet"/>: inputs <c>[batch, steps, InputSize]</c>
/// batch-first and zero-padded after each row's length, the lengths, and targets (<c>[batch, output steps, outputs]</c>:
/// one output step for N vs 1, the padded steps for N vs N, OutputLength steps for 1 vs N and N vs M; one class index instead of outputs for
/// multiclass; standardised when the label is).
/// Buffers are sized once for the largest batch and reused, so batching allocates nothing per step.
/// </summary>
internal sealed class RnnBatchBuilder
{
    private readonly RnnSequenceSet _set;
    private readonly RnnLabelStandardization? _labels;
    private readonly float[] _inputs;
    private readonly int[] _lengths;
    private readonly float[] _targets;
    private readonly float[] _weights;
    private int _built;

    /// <summary>Creates buffers for batches of up to <paramref name="batchSize"/> rows of <paramref name="set"/>, whose
    /// targets <paramref name="labels"/> (when set) standardises.</summary>
    public RnnBatchBuilder(RnnSequenceSet set, int batchSize, RnnLabelStandardization? labels = null)
    {
        _set = set;
        _labels = labels;
        int rows = Math.Min(batchSize, set.Count);
        long inputs = (long)rows * set.MaxSteps * set.InputSize;
        if (inputs > Array.MaxLength)
            throw new InvalidOperationException($"A batch of {rows} sequences of {set.MaxSteps} steps × {set.InputSize} features is too large; lower BatchSize.");
        _inputs = new float[inputs];
        _lengths = new int[rows];
        long targets = (long)rows * set.Head.OutputSteps(set.MaxSteps) * set.TargetsPerStep;
        _targets = new float[targets];
        _weights = set.IsWeighted ? new float[rows] : [];
    }

    /// <summary>The example weights of the rows of the last <see cref="Build"/>, or empty when the set has none
    /// (the core's unweighted mean).</summary>
    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, _set.IsWeighted ? _built : 0);

    /// <summary>Fills the buffers with the given rows.</summary>
    /// <returns>The padded step count of the batch.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Build(ReadOnlySpan<int> rows, out ReadOnlySpan<float> inputs, out ReadOnlySpan<int> lengths, out ReadOnlySpan<float> targets)
    {
        int batch = rows.Length;
        int steps = 0;
        for (int b = 0; b < batch; b++)
            steps = Math.Max(steps, _set.Steps(rows[b]));

        int inputSize = _set.InputSize;
        int perStep = _set.TargetsPerStep;
        int inputLength = batch * steps * inputSize;
        int targetStride = _set.Head.OutputSteps(steps) * perStep;
        int targetLength = batch * targetStride;
        Span<float> inputSpan = _inputs.AsSpan(0, inputLength);
        Span<float> targetSpan = _targets.AsSpan(0, targetLength);
        inputSpan.Clear();
        targetSpan.Clear();
        for (int b = 0; b < batch; b++)
        {
            int row = rows[b];
            _lengths[b] = _set.Steps(row);
            if (_set.IsWeighted)
                _weights[b] = _set.Weight(row);
            _set.RowFeatures(row).CopyTo(inputSpan.Slice(b * steps * inputSize));
            ReadOnlySpan<float> rowTargets = _set.RowTargets(row);
            Span<float> destination = targetSpan.Slice(b * targetStride, rowTargets.Length);
            if (_labels is null)
                rowTargets.CopyTo(destination);
            else
                _labels.Standardize(rowTargets, destination);
        }

        inputs = inputSpan;
        lengths = _lengths.AsSpan(0, batch);
        targets = targetSpan;
        _built = batch;
        return steps;
    }
}
