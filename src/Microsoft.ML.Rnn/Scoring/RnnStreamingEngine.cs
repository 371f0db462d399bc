using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Scores a live series one time step at a time, carrying the recurrent state between ticks (the tutorial's
/// <c>hidden_prev</c>, at scoring time). Made by <see cref="RnnTransformer.CreateStreamingEngine"/> from an N vs N
/// (<see cref="RnnHead.ManyToMany"/>), unidirectional model.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> takes one step (<see cref="InputSize"/> values, in the
/// order <c>Transform</c> reads a step: the feature vector's step, or one value per series column in column order) and
/// writes that step's <c>Score</c>, exactly, bit for bit, as <c>Transform</c> scores it when given the whole series so far
/// (every step since the engine was created, <see cref="Reset"/> or <see cref="LoadState"/>): regression values in the
/// label's units (mapped back when training standardised the label), binary classification the logit (the
/// <see cref="Predict(ReadOnlySpan{float}, Span{float}, Span{float})"/> overload adds the <c>Probability</c> column's
/// value; <c>PredictedLabel</c> is <c>Score &gt; 0</c>), multiclass the class probabilities (<c>PredictedLabel</c> is the
/// 1-based index of the largest). Unlike <c>Transform</c>, which scores rows of at most 65,536 steps, the engine has no length limit.
/// </para>
/// <para>
/// A tick costs the same whatever the number of ticks seen, and allocates nothing (the array-returning overload
/// allocates its result). From the first tick the engine carries only the layers' states (see <see cref="WarmUpSteps"/>).
/// </para>
/// <para>
/// Not thread-safe: use one engine per feed, on one thread at a time. The transformer it came from stays thread-safe
/// and may make any number of engines and serve <c>Transform</c> and prediction engines meanwhile.
/// </para>
/// <para>
/// A step with the wrong number of values, or a value that is NaN or infinite, is refused with an
/// <see cref="ArgumentException"/> and changes nothing: the next good step continues from the same state.
/// <see cref="SaveState"/> and <see cref="LoadState"/> checkpoint the carried state in a small versioned file that
/// only the same model (same shape and parameters) can load back.
/// </para>
/// </remarks>
public sealed class RnnStreamingEngine
{
    private const uint Magic = 0x4D545352; // "RSTM", little-endian
    private const int FormatVersion = 1;
    private const int HeaderBytes = 4 + 4 + 4 + 8 + 4;

    /// <summary>Values beyond which a longer row no longer changes how a vectorised function treats its last values.</summary>
    private const int SigmoidWindow = 64;

    private readonly RnnModelData _model;
    private readonly StreamingNetwork _network;
    private readonly uint _modelIdentity;
    private readonly float[] _sigmoidWindow;

    internal RnnStreamingEngine(RnnModelData model)
    {
        _model = model;
        RnnNetworkShape shape = model.Network.Shape;
        HeadStructure structure = shape.HeadStructure;
        if (structure == HeadStructure.OnePerSequence)
        {
            throw new NotSupportedException(
                "This model is N vs 1 (Head = ManyToOne): it gives one output per whole window, read from its final state, " +
                "so there is no output per step to stream, and each window starts from a zero state. To stream, train with " +
                "Head = RnnHead.ManyToMany (a label per step, for example the next value); to keep this model, score whole windows with Transform or a PredictionEngine.");
        }

        if (structure != HeadStructure.OnePerInputStep)
        {
            throw new NotSupportedException(
                $"This model's head is {shape.Head}: its outputs are {shape.OutputLength} decoder steps per input, not one output per input step, " +
                "so a tick has no output of its own. Streaming needs Head = RnnHead.ManyToMany; score whole inputs with Transform or a PredictionEngine.");
        }

        if (shape.Bidirectional)
            throw new NotSupportedException(
                "This model is bidirectional: every step's output reads the backward direction, which starts from the series' last step, " +
                "so each new tick changes every earlier output and none can be computed from a carried state. Train with Bidirectional = false " +
                "(and Head = RnnHead.ManyToMany) to stream, or score whole windows with Transform or a PredictionEngine.");

        if (shape.Distribution != RnnDistribution.None)
            throw new NotSupportedException(
                $"This model predicts a {shape.Distribution} distribution per step (Distribution = {shape.Distribution}): its Score, StandardDeviation " +
                "and interval columns are not streamed yet. Train with Distribution = RnnDistribution.None to stream point forecasts, " +
                "or score whole windows with Transform or a PredictionEngine to get the intervals.");

        _network = new StreamingNetwork(model.Network);
        _modelIdentity = ModelIdentity(model);
        _sigmoidWindow = new float[Math.Max(SigmoidWindow, _network.OutputSize)];
    }

    /// <summary>Values per step in: the model's features per step.</summary>
    public int InputSize => _network.InputSize;

    /// <summary>Values per step out: the <c>Score</c> column's values per step (1 for binary classification and one-target regression).</summary>
    public int OutputSize => _network.OutputSize;

    /// <summary>Ticks since the engine was created, <see cref="Reset"/> or the checkpoint <see cref="LoadState"/> read.</summary>
    public long StepsSeen => _network.StepsSeen;

    /// <summary>
    /// Ticks from which the carried state is the layers' states: 1 (before the first tick the state is empty). Earlier
    /// releases kept and replayed a series' first ticks for a number of ticks that depended on the network's shape.
    /// </summary>
    public int WarmUpSteps => _network.WarmUpSteps;

    /// <summary>Takes one time step and writes its <c>Score</c> values (<see cref="OutputSize"/> of them) into <paramref name="output"/>.</summary>
    /// <param name="step"><see cref="InputSize"/> finite values.</param>
    /// <param name="output">Exactly <see cref="OutputSize"/> values.</param>
    /// <exception cref="ArgumentException">A length is wrong, or <paramref name="step"/> holds NaN or an infinity; the state is unchanged.</exception>
    public void Predict(ReadOnlySpan<float> step, Span<float> output)
    {
        if (step.Length != InputSize)
            throw new ArgumentException($"The step holds {step.Length} values; this model takes {InputSize} per step (its features per step).", nameof(step));
        if (output.Length != OutputSize)
            throw new ArgumentException($"The output holds {output.Length} values; this model gives {OutputSize} per step.", nameof(output));
        for (int i = 0; i < step.Length; i++)
            if (!float.IsFinite(step[i]))
                throw new ArgumentException(
                    $"The step holds {step[i]} at index {i}; every value must be finite. The step was not taken: the engine's state is as it was.", nameof(step));

        _network.Step(step, output);
        _model.LabelStandardization?.Restore(output);
        if (_model.Options.Task == RnnTask.MulticlassClassification)
            RnnTransformer.StepSoftmax(output);
    }

    /// <summary>
    /// Binary classification: takes one time step and writes its <c>Score</c> (the logit) and its <c>Probability</c>,
    /// each as the columns give them. The probability is the sigmoid of the score computed as the column computes it
    /// (the column's vectorised sigmoid can differ in the last bit from a scalar one).
    /// </summary>
    /// <param name="step"><see cref="InputSize"/> finite values.</param>
    /// <param name="score">Exactly <see cref="OutputSize"/> values.</param>
    /// <param name="probability">Exactly <see cref="OutputSize"/> values.</param>
    /// <exception cref="InvalidOperationException">The model is not a binary classifier (regression has no probability; multiclass <c>Score</c> is the class probabilities).</exception>
    /// <exception cref="ArgumentException">A length is wrong, or <paramref name="step"/> holds NaN or an infinity; the state is unchanged.</exception>
    public void Predict(ReadOnlySpan<float> step, Span<float> score, Span<float> probability)
    {
        if (_model.Options.Task != RnnTask.BinaryClassification)
            throw new InvalidOperationException(
                $"Only a binary classifier has a Probability column; this model is {_model.Options.Task}" +
                (_model.Options.Task == RnnTask.MulticlassClassification ? ", whose Score holds the class probabilities." : "."));
        if (probability.Length != OutputSize)
            throw new ArgumentException($"The probability holds {probability.Length} values; this model gives {OutputSize} per step.", nameof(probability));
        Predict(step, score);

        // The column applies TensorPrimitives.Sigmoid to the whole row (steps × outputs values), whose vector width
        // depends on the row's length: the same function over the last values of a row as long (up to 64) rounds the same.
        int outputs = OutputSize;
        int length = (int)Math.Min(StepsSeen * outputs, Math.Max(SigmoidWindow, outputs));
        Span<float> window = _sigmoidWindow.AsSpan(0, length);
        window.Clear();
        score.CopyTo(window[(length - outputs)..]);
        TensorPrimitives.Sigmoid(window, window);
        window[(length - outputs)..].CopyTo(probability);
    }

    /// <summary>Takes one time step and returns its <c>Score</c> values in a new array.</summary>
    /// <inheritdoc cref="Predict(ReadOnlySpan{float}, Span{float})"/>
    public float[] Predict(ReadOnlySpan<float> step)
    {
        var output = new float[OutputSize];
        Predict(step, output);
        return output;
    }

    /// <summary>Forgets every tick: back to the zero state, as a new engine.</summary>
    public void Reset() => _network.Reset();

    /// <summary>
    /// Writes the carried state to <paramref name="stream"/>: a versioned header, the model's identity (a CRC-32 of its
    /// shape and parameters), <see cref="StepsSeen"/>, the state and a CRC-32 of it. A few kilobytes for typical models.
    /// </summary>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int length = _network.StateLength;
        var bytes = new byte[HeaderBytes + 4 * length + 4];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], _modelIdentity);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], StepsSeen);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], length);
        var state = new float[length];
        _network.WriteState(state);
        for (int i = 0; i < length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(span[(HeaderBytes + 4 * i)..], state[i]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(HeaderBytes + 4 * length)..], Crc32.Compute(span[12..(HeaderBytes + 4 * length)]));
        stream.Write(bytes);
    }

    /// <summary>
    /// Reads a state <see cref="SaveState"/> wrote, from this model, and continues from it. Everything is checked before
    /// anything changes: on an error the engine keeps its state.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The stream is not a streaming state, is of another format version, was saved by a different model, is truncated
    /// or corrupt.
    /// </exception>
    public void LoadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[HeaderBytes];
        ReadExactly(stream, header, "its header");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != Magic)
            throw new InvalidDataException("This is not a streaming-engine state (RnnStreamingEngine.SaveState writes one): its first bytes do not match.");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        if (version != FormatVersion)
            throw new InvalidDataException($"The state is of format version {version}; this library reads version {FormatVersion}.");
        uint identity = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (identity != _modelIdentity)
            throw new InvalidDataException(
                $"The state was saved by a different model (model identity {identity:X8}; this engine's model is {_modelIdentity:X8}): " +
                "a state only continues the model that saved it (same shape and parameters).");
        long steps = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(12));
        int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        if (steps < 0)
            throw new InvalidDataException($"The state says {steps} steps seen; a count cannot be negative. The file is corrupt.");
        int expected = _network.StateLengthAfter(steps);
        // Earlier releases kept a series' first ticks themselves for a few steps (a longer warm-up); such a state is
        // those ticks, which are replayed below.
        bool keptTicks = length != expected && steps > 0 && length == steps * InputSize;
        if (length != expected && !keptTicks)
            throw new InvalidDataException($"The state holds {length} values; this model's state after {steps} steps has {expected}. The file is corrupt.");

        var payload = new byte[4 * length + 4];
        ReadExactly(stream, payload, $"its {length} state values");
        uint crc = Crc32.Append(Crc32.Compute(header.AsSpan(12)), payload.AsSpan(0, 4 * length));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(4 * length)))
            throw new InvalidDataException("The state's checksum does not match its contents: the file is corrupt.");
        var state = new float[length];
        for (int i = 0; i < length; i++)
        {
            state[i] = BinaryPrimitives.ReadSingleLittleEndian(payload.AsSpan(4 * i));
            if (!float.IsFinite(state[i]))
                throw new InvalidDataException($"The state holds {state[i]} at value {i}; a carried state is finite. The file is corrupt.");
        }

        if (keptTicks)
            _network.Replay(state);
        else
            _network.ReadState(steps, state);
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
                throw new InvalidDataException($"The state is truncated: the stream ended after {read} of the {buffer.Length} bytes of {what}.");
            read += n;
        }
    }

    /// <summary>A CRC-32 of the shape, the parameters and the label standardisation: what makes outputs from a state.</summary>
    private static uint ModelIdentity(RnnModelData model)
    {
        RnnNetworkShape shape = model.Network.Shape;
        Span<int> sizes =
        [
            (int)shape.Cell, shape.InputSize, shape.HiddenSize, shape.OutputSize, shape.NumberOfLayers, (int)shape.Nonlinearity, (int)shape.Head,
            (int)model.Options.Task,
        ];
        uint crc = Crc32.Compute(MemoryMarshal.AsBytes(sizes));
        crc = Crc32.Append(crc, MemoryMarshal.AsBytes(model.Network.Parameters));
        if (model.LabelStandardization is { } standardization)
        {
            crc = Crc32.Append(crc, MemoryMarshal.AsBytes(standardization.Mean.AsSpan()));
            crc = Crc32.Append(crc, MemoryMarshal.AsBytes(standardization.StandardDeviation.AsSpan()));
        }

        return crc;
    }
}
