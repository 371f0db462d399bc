using System.Globalization;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// What a network's computations hold in memory, counted from the shape alone, so that a training that could not fit
/// is refused before it allocates instead of ending in an <see cref="OutOfMemoryException"/> minutes later. The counts
/// are the large buffers only (a lower bound): the refusal is for networks that obviously do not fit.
/// </summary>
internal static class MemoryEstimate
{
    /// <summary>The memory this process may use: the machine's, or its container's limit.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Floats the passes over <paramref name="rows"/> sequences of <paramref name="steps"/> steps keep per row and step:
    /// the time-major input, each layer's output, and per layer and direction its gates, states (and LSTM cell states
    /// and their tanh); for training also the gate gradients, the gradients passed between layers and dropout's copies.
    /// </summary>
    public static long ActivationFloats(RnnNetworkShape shape, int rows, int steps, bool training)
    {
        long hidden = shape.HiddenSize, gateWidth = (long)shape.GateCount * hidden, width = shape.TopWidth;
        long perDirection = gateWidth + hidden + (shape.HasCellState ? 2 * hidden : 0);
        long perStep = shape.InputSize + shape.EncoderLayers * (width + shape.Directions * perDirection) + shape.OutputWidth;
        if (training)
        {
            perStep += gateWidth + 2 * Math.Max(width, shape.InputSize);
            if (shape.Dropout > 0f)
                perStep += 3 * width * Math.Max(0, shape.EncoderLayers - 1);
        }

        // A decoder keeps the same per step and layer for its M steps, with its input and (attention) each step's weights.
        long decoderSteps = shape.HasDecoder ? shape.OutputLength : 0;
        long perDecoderStep = shape.NumberOfLayers * (hidden + perDirection) + shape.OutputWidth + width + shape.InputSize + shape.OutputWidth
            + (shape.Context == RnnContext.Attention ? steps : 0);
        if (training)
            perDecoderStep *= 2;

        return perStep * rows * steps + perDecoderStep * rows * decoderSteps;
    }

    /// <summary>
    /// Bytes a training step on batches of <paramref name="batch"/> rows and <paramref name="steps"/> steps needs: the
    /// parameters, their gradient (one per block of rows), the optimizer's state and the activations.
    /// </summary>
    public static long TrainingBytes(RnnNetworkShape shape, RnnTrainingOptions options, int batch, int steps) =>
        sizeof(float) * (ParameterCopies(shape, options, batch, steps) * shape.ParameterCount + ActivationFloats(shape, batch, steps, training: true));

    /// <summary>
    /// Throws an <see cref="InsufficientMemoryException"/> saying what training would need when that is more than
    /// <paramref name="availableBytes"/>.
    /// </summary>
    public static void ThrowIfTrainingDoesNotFit(RnnNetworkShape shape, RnnTrainingOptions options, int batch, int steps, long availableBytes)
    {
        long needed = TrainingBytes(shape, options, batch, steps);
        if (needed <= availableBytes)
            return;
        throw new InsufficientMemoryException(string.Create(CultureInfo.InvariantCulture,
            $"Training this {shape.Cell} network ({shape.NumberOfLayers} layer(s) of HiddenSize {shape.HiddenSize}, {shape.ParameterCount:N0} parameters) " +
            $"on batches of {batch} rows × {steps} steps needs at least {Gigabytes(needed)} " +
            $"({ParameterCopies(shape, options, batch, steps)} copies of the parameters with gradients and {options.Optimizer}'s state, " +
            $"{Gigabytes(sizeof(float) * ActivationFloats(shape, batch, steps, training: true))} of activations); " +
            $"{Gigabytes(availableBytes)} is available. Lower HiddenSize, NumberOfLayers or the batch size, or train on shorter sequences."));
    }

    /// <summary>The parameters, a gradient per block of rows (<see cref="RnnComputation"/>), and the optimizer's state.</summary>
    private static int ParameterCopies(RnnNetworkShape shape, RnnTrainingOptions options, int batch, int steps)
    {
        int optimizerState = options.Optimizer switch
        {
            RnnOptimizerKind.Sgd => options.Momentum > 0f ? 1 : 0,
            _ => 2, // Adam's two moments
        };
        int gradients = batch > 0 && steps > 0 ? RnnComputation.BlockCount(shape, batch, steps) : 1;
        return 1 + gradients + optimizerState;
    }

    private static string Gigabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB");
}
