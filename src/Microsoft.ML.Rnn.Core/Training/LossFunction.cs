using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The training losses with PyTorch's mean reductions, over real positions only: output steps that the head marks as
/// padding (for N vs N, steps past a sequence's end) take no part in the loss and get a zero gradient. With per-row
/// weights the mean becomes the weighted mean <c>Σ w·loss / Σ w</c> over the real positions, each row's positions
/// sharing its weight (what PyTorch gives with <c>reduction='none'</c>, weights multiplied in, divided by their sum).
/// </summary>
internal static class LossFunction
{
    /// <summary>Targets expected for a batch: one value per output, or one class index per row for softmax cross-entropy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int TargetLength(RnnLoss loss, HeadStructure head, int batch, int steps, int outputSize)
    {
        int rows = batch * head.OutputSteps(steps);
        return loss == RnnLoss.SoftmaxCrossEntropy ? rows : rows * outputSize;
    }

    /// <summary>
    /// Returns the mean loss of <paramref name="output"/> (batch-first, as the network returns it) against
    /// <paramref name="targets"/> and writes d loss / d output to <paramref name="dOutput"/>. <paramref name="rowWeights"/>
    /// holds one finite weight ≥ 0 per row, or is empty for the unweighted mean; when the weights of the batch's real
    /// positions sum to zero the loss and its gradient are zero (no row counts).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Compute(RnnLoss loss, HeadStructure head, ReadOnlySpan<float> output, ReadOnlySpan<float> targets,
        ReadOnlySpan<int> lengths, int steps, int outputSize, Span<float> dOutput, ReadOnlySpan<float> rowWeights = default)
    {
        int batch = lengths.Length;
        bool weighted = !rowWeights.IsEmpty;
        if (weighted && rowWeights.Length != batch)
            throw new ArgumentException($"The row weights hold {rowWeights.Length} values; expected one per row, {batch}.", nameof(rowWeights));
        if (weighted)
        {
            for (int b = 0; b < batch; b++)
            {
                if (!(rowWeights[b] >= 0 && float.IsFinite(rowWeights[b])))
                    throw new ArgumentException($"Row weight {b} is {rowWeights[b]}; expected a finite value ≥ 0.", nameof(rowWeights));
            }
        }
        int expected = TargetLength(loss, head, batch, steps, outputSize);
        if (targets.Length != expected)
            throw new ArgumentException($"The targets hold {targets.Length} values; expected {expected} for {loss} over {head.OutputSteps(steps)} output steps per sequence.", nameof(targets));

        dOutput.Clear();
        int stepsPerRow = head.OutputSteps(steps);
        // Unweighted, every weight is exactly 1: the products below change no bit of the unweighted mean.
        double rowCount = 0;
        for (int b = 0; b < batch; b++)
            rowCount += head.RealOutputSteps(lengths[b]) * (weighted ? (double)rowWeights[b] : 1.0);
        if (weighted && rowCount == 0)
            return 0f;
        // A distribution's NLL reads μ and its raw parameters: outputSize values each, per output step.
        int width = outputSize * DistributionParameters.ValuesPerOutput(DistributionParameters.Of(loss));
        double total = 0;
        double scale = loss == RnnLoss.SoftmaxCrossEntropy ? 1.0 / rowCount : 1.0 / (rowCount * outputSize);
        for (int b = 0; b < batch; b++)
        {
            double weight = weighted ? rowWeights[b] : 1.0;
            float rowScale = (float)(scale * weight);
            int realSteps = head.RealOutputSteps(lengths[b]);
            for (int t = 0; t < realSteps; t++)
            {
                int row = b * stepsPerRow + t;
                ReadOnlySpan<float> x = output.Slice(row * width, width);
                Span<float> dx = dOutput.Slice(row * width, width);
                total += weight * (loss switch
                {
                    RnnLoss.MeanSquaredError => SquaredError(x, targets.Slice(row * outputSize, outputSize), rowScale, dx),
                    RnnLoss.BinaryCrossEntropyWithLogits => BinaryCrossEntropy(x, targets.Slice(row * outputSize, outputSize), rowScale, dx),
                    RnnLoss.NormalNegativeLogLikelihood => NormalNegativeLogLikelihood(x, targets.Slice(row * outputSize, outputSize), rowScale, dx),
                    RnnLoss.StudentTNegativeLogLikelihood => StudentTNegativeLogLikelihood(x, targets.Slice(row * outputSize, outputSize), rowScale, dx),
                    _ => SoftmaxCrossEntropy(x, ClassIndex(targets[row], outputSize, row), rowScale, dx),
                });
            }
        }

        return (float)(total * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SquaredError(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float scale, Span<float> dx)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float difference = x[i] - target[i];
            sum += (double)difference * difference;
            dx[i] = 2f * difference * scale;
        }
        return sum;
    }

    /// <summary><paramref name="x"/> is <c>[μ × n, raw σ × n]</c> for n targets.</summary>
    private static double NormalNegativeLogLikelihood(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float scale, Span<float> dx)
    {
        int n = target.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += DistributionParameters.NormalNegativeLogLikelihood(target[i], x[i], x[n + i], out double dMu, out double dRaw);
            dx[i] = (float)(dMu * scale);
            dx[n + i] = (float)(dRaw * scale);
        }
        return sum;
    }

    /// <summary><paramref name="x"/> is <c>[μ × n, raw scale × n, raw ν × n]</c> for n targets.</summary>
    private static double StudentTNegativeLogLikelihood(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float scale, Span<float> dx)
    {
        int n = target.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += DistributionParameters.StudentTNegativeLogLikelihood(target[i], x[i], x[n + i], x[2 * n + i], out double dMu, out double dScale, out double dNu);
            dx[i] = (float)(dMu * scale);
            dx[n + i] = (float)(dScale * scale);
            dx[2 * n + i] = (float)(dNu * scale);
        }
        return sum;
    }

    private static double BinaryCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, float scale, Span<float> dx)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double x = logits[i], y = target[i];
            // max(x, 0) − x·y + log(1 + e^−|x|): the stable form PyTorch uses.
            sum += Math.Max(x, 0) - x * y + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            dx[i] = (float)((1.0 / (1.0 + Math.Exp(-x)) - y) * scale);
        }
        return sum;
    }

    private static double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, int target, float scale, Span<float> dx)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits)
            max = Math.Max(max, x);
        double sumExp = 0;
        foreach (float x in logits)
            sumExp += Math.Exp(x - max);
        double logSumExp = max + Math.Log(sumExp);
        for (int i = 0; i < logits.Length; i++)
            dx[i] = (float)((Math.Exp(logits[i] - logSumExp) - (i == target ? 1.0 : 0.0)) * scale);
        return logSumExp - logits[target];
    }

    private static int ClassIndex(float value, int classes, int row)
    {
        if (!(value >= 0 && value < classes) || value != MathF.Floor(value))
            throw new ArgumentException($"Target {row} is {value}; expected a class index 0 to {classes - 1}.", "targets");
        return (int)value;
    }
}
