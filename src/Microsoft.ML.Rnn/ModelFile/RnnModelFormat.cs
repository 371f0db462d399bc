using System.Text;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The RNN transformer's model file: the one place that writes and reads it (see docs/model-format.md).
/// </summary>
/// <remarks>
/// ML.NET stores each transformer of a pipeline as an entry of the model zip, behind its own model header
/// (signature, versions, loader name, string table) written by <see cref="ModelSaveContext"/>. What follows the
/// header is ours:
/// <code>
/// *** Binary format *** (version 0x00010004; docs/model-format.md has 0x00010003, 0x00010002 and 0x00010001, which are still read)
/// int64   payload length in bytes (1 .. bytes left in the model entry after this field and the next)
/// uint32  CRC-32 (IEEE) of the payload
/// payload, little-endian: what scoring needs, then the training history
///   byte    task                  RnnTask: 0 regression, 1 binary, 2 multiclass
///   byte    head                  RnnHead: 0 ManyToOne, 1 ManyToMany, 2 OneToMany, 3 EncoderDecoder
///   int32   head settings length  bytes of the head's own settings that follow: 0 for heads 0 and 1, 7 for heads 2 and 3
///   if 7 (the decoder's settings):
///     int32 output length         M, the steps the decoder emits, 1 .. 2^16
///     byte  context               RnnContext: 0 LastState, 1 Projected, 2 Attention (0 for OneToMany)
///     byte  decoder input         RnnDecoderInput: 0 InitialState, 1 EveryStep, 2 InitialStateAndEveryStep
///     byte  output feedback       RnnOutputFeedback: 0 None, or the task's: 1 Value (regression), 2 Decision (binary), 3 Class (multiclass)
///   byte    cell                  RnnCellType: 0 Rnn, 1 Lstm, 2 Gru
///   byte    nonlinearity          RnnNonlinearity: 0 Tanh, 1 Relu
///   int32   input size            features per step, 1 .. 2^16
///   int32   hidden size           1 .. 2^16
///   int32   output size           outputs per step (classes for multiclass), 1 .. 2^16
///   int32   layers                1 .. 64
///   byte    bidirectional         0 or 1
///   float32 dropout               [0, 1) (part of the architecture; scoring never drops)
///   byte    scalar score          0 or 1: regression N vs 1 with a Single label (Score is a Single)
///   byte    feature source        0: one feature column, 1: series columns
///   int32   feature column count  1 for source 0; 1 .. 2^16 for source 1 (then equal to the input size)
///   string  feature column name   × count
///   byte    key value kind        RnnKeyValueKind: 0 none, 1 text, 2 float32, 3 float64, 4 bool, 5 int32, 6 uint32, 7 int64, 8 uint64
///   if kind ≠ 0:
///     int32 count                 equal to the output size (multiclass only)
///     value × count               string, or the kind's fixed-size little-endian value (bool: one byte 0/1)
///   byte    label standardised    0 or 1 (regression only): Score = network output × std + mean, per output
///   if 1:
///     float32 mean × output size  finite
///     float32 std × output size   finite, > 0
///   byte    distribution          RnnDistribution: 0 None, 1 Normal, 2 StudentT (regression only; from 0x00010004, None before)
///   if ≠ 0:
///     float32 confidence level    in (0, 1): the interval LowerBound/UpperBound hold
///     byte    calibrated          0 or 1: whether a split-conformal factor was computed on a validation set
///     float32 calibration factor  finite, > 0; 1 when not calibrated
///   int32   tensor count          the network's parameter tensors, 1 .. 4096
///   per tensor, in PyTorch state_dict order:
///     string  name                e.g. rnn.weight_ih_l0, head.bias
///     int32   rank                1 .. 4
///     int32   dimension × rank    each ≥ 0 (0: an empty tensor, a decoder's weight_ih when it reads no input); their product is the value count
///     float32 value × product     row-major
///   int32   seed                  the seed training used
///   int32   history count         epochs trained
///   per epoch:
///     int32   epoch               from 1
///     float32 train loss
///     byte    has validation loss 0 or 1
///     float32 validation loss     (present either way)
///     float32 learning rate       the epoch's, finite, ≥ 0
/// string: int32 byte count (0 .. 2^20), then that many UTF-8 bytes.
/// </code>
/// Training settings (batch size, learning rate, optimizer…) and wall-clock times are not written: scoring never
/// reads them, a new trainer option is then no format change, and the same training writes the same bytes.
/// The reader checks the payload length against the bytes left in the entry, then parses the payload as it reads it
/// (<see cref="RnnPayloadReader"/>), checking every count and size against the limits above and against the
/// declared bytes left before going on, and the fields against each other (scalar score, outputs per task, series
/// columns, label statistics for regression only, the decoder's settings by the shape's rules and the feedback by the task); the parameter count the header fields imply must fit in the payload too. The checksum is verified
/// once the payload has been read, before the network is built. Anything else is a corrupt model:
/// <see cref="InvalidDataException"/>, nothing allocated beyond what the bytes actually read need.
/// </remarks>
internal static class RnnModelFormat
{
    /// <summary>The loader signature in the model header (at most 24 characters).</summary>
    public const string LoaderSignature = "RnnTransformer";

    /// <summary>The first format, still read: it also held the training settings and each epoch's seconds.</summary>
    public const uint FirstVersion = 0x00010001;

    /// <summary>The format that brought the decoder heads and their settings.</summary>
    public const uint DecoderVersion = 0x00010003;

    /// <summary>The format written today: a distribution section (distribution, confidence level, calibration factor).</summary>
    public const uint CurrentVersion = 0x00010004;

    /// <summary>Bytes of a decoder head's settings: output length, context, decoder input, output feedback.</summary>
    private const int DecoderSettingsBytes = sizeof(int) + 3;

    /// <summary>Size of the length and checksum fields before the payload.</summary>
    private const int EnvelopeBytes = sizeof(long) + sizeof(uint);

    /// <summary>The model header's version block.</summary>
    public static VersionInfo GetVersionInfo() => new(
        modelSignature: "RNNTRANS",
        // 0x00010001: initial format.
        // 0x00010002: scoring state and history only (no training settings, no times); a head settings section; label statistics;
        //             each epoch's learning rate.
        // 0x00010003: the decoder heads (OneToMany, EncoderDecoder) and their settings in the head settings section.
        // 0x00010004: the distribution section after the label statistics (distribution, confidence level, calibration factor).
        verWrittenCur: CurrentVersion,
        verReadableCur: CurrentVersion,
        verWeCanReadBack: FirstVersion,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(RnnModelFormat).Assembly.FullName);

    /// <summary>Writes the model behind ML.NET's header.</summary>
    public static void Save(ModelSaveContext ctx, RnnModelData model)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        Write(ctx.Writer, model);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The model is corrupt or truncated, its entry header is not ours, or a newer release wrote it.</exception>
    public static RnnModelData Load(ModelLoadContext ctx)
    {
        try
        {
            ctx.CheckAtModel(GetVersionInfo());
        }
        catch (FormatException e)
        {
            // ML.NET's own check of the entry header: reported as every other failure of this entry is, so a caller
            // has one exception type to catch (docs/api.md, "Errors").
            throw new InvalidDataException(
                $"The RNN model's entry header does not match Microsoft.ML.Rnn ({e.Message}): the file is damaged, was not written by " +
                $"Microsoft.ML.Rnn, or a newer release wrote it (this one reads formats 0x{FirstVersion:X8} to 0x{CurrentVersion:X8}). " +
                "Use an intact copy of the file, or a release that reads its format.");
        }

        return Read(ctx.Reader, BytesLeft(ctx), ctx.Header.ModelVerWritten);
    }

    /// <summary>The bytes of the current model entry after its header, as far as the stream holds them.</summary>
    public static long BytesLeft(ModelLoadContext ctx)
    {
        Stream stream = ctx.Reader.BaseStream;
        long available = ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel - stream.Position;
        if (stream.CanSeek)
            available = Math.Min(available, stream.Length - stream.Position);
        return available;
    }

    /// <summary>Writes the length, checksum and payload.</summary>
    public static void Write(BinaryWriter writer, RnnModelData model)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(model);
        WriteEnvelope(writer, WritePayload(model));
    }

    /// <summary>Writes a payload behind its length and CRC-32: the envelope every entry this library writes uses.</summary>
    public static void WriteEnvelope(BinaryWriter writer, byte[] payload)
    {
        writer.Write((long)payload.Length);
        writer.Write(Crc32.Compute(payload));
        writer.Write(payload);
    }

    /// <summary>Reads what <see cref="Write"/> (of format <paramref name="version"/>) wrote, never reading past <paramref name="available"/> bytes.</summary>
    /// <remarks>
    /// The payload is parsed as it is read and checksummed on the way; the first value that does not fit stops the
    /// read, so a payload that declares far more bytes than the model it holds is rejected without reading them.
    /// Nothing is allocated beyond what the bytes actually read need.
    /// </remarks>
    /// <exception cref="InvalidDataException">The data is corrupt or truncated.</exception>
    public static RnnModelData Read(BinaryReader reader, long available, uint version = CurrentVersion)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (version < FirstVersion || version > CurrentVersion)
            throw Corrupt($"the format version is 0x{version:X8}; this release reads 0x{FirstVersion:X8} to 0x{CurrentVersion:X8}");
        (RnnPayloadReader payload, uint checksum) = ReadEnvelope(reader, available);
        return ReadPayload(payload, checksum, version);
    }

    /// <summary>Reads what <see cref="WriteEnvelope"/> wrote up to the payload: a reader of the payload (which checksums it as
    /// it is parsed) and the checksum it must end with.</summary>
    /// <exception cref="InvalidDataException">The envelope is truncated or its length does not fit in <paramref name="available"/> bytes.</exception>
    public static (RnnPayloadReader Payload, uint Checksum) ReadEnvelope(BinaryReader reader, long available)
    {
        if (available < EnvelopeBytes)
            throw Corrupt($"the model entry holds {available} bytes after its header; expected at least {EnvelopeBytes}");
        long length;
        uint checksum;
        try
        {
            length = reader.ReadInt64();
            checksum = reader.ReadUInt32();
        }
        catch (EndOfStreamException)
        {
            throw Corrupt("the model entry ends early");
        }

        long left = available - EnvelopeBytes;
        if (length <= 0 || length > left)
            throw Corrupt($"the payload length is {length} bytes but {left} bytes are left");
        return (new RnnPayloadReader(reader.BaseStream, length), checksum);
    }

    private static byte[] WritePayload(RnnModelData model)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            RnnNetworkShape shape = model.Network.Shape;
            w.Write((byte)model.Options.Task);
            w.Write((byte)shape.Head);
            WriteHeadSettings(w, shape);
            w.Write((byte)shape.Cell);
            w.Write((byte)shape.Nonlinearity);
            w.Write(shape.InputSize);
            w.Write(shape.HiddenSize);
            w.Write(shape.OutputSize);
            w.Write(shape.NumberOfLayers);
            w.Write(shape.Bidirectional);
            w.Write(shape.Dropout);
            w.Write(model.ScalarScore);
            w.Write(model.IsSeries);
            w.Write(model.FeatureColumns.Length);
            foreach (string name in model.FeatureColumns)
                WriteString(w, name);
            WriteKeyValues(w, model.KeyValues);
            WriteLabelStandardization(w, model.LabelStandardization);
            WriteDistribution(w, model);

            IReadOnlyList<(string Name, int[] Shape)> tensors = model.Network.ParameterShapes;
            IReadOnlyDictionary<string, float[]> values = model.Network.ExportParameters();
            w.Write(tensors.Count);
            foreach ((string name, int[] dims) in tensors)
            {
                WriteString(w, name);
                w.Write(dims.Length);
                foreach (int d in dims)
                    w.Write(d);
                foreach (float v in values[name])
                    w.Write(v);
            }

            w.Write(model.Options.Seed ?? 0);
            w.Write(model.History.Count);
            foreach (RnnEpochReport epoch in model.History)
            {
                w.Write(epoch.Epoch);
                w.Write(epoch.TrainLoss);
                w.Write(epoch.ValidationLoss.HasValue);
                w.Write(epoch.ValidationLoss ?? float.NaN);
                w.Write(epoch.LearningRate);
            }
        }

        return stream.ToArray();
    }

    private static RnnModelData ReadPayload(RnnPayloadReader r, uint checksum, uint version)
    {
        bool first = version == FirstVersion;
        var task = r.ReadEnum<RnnTask>("task");
        var head = r.ReadEnum<RnnHead>("head");
        bool hasDecoder = RnnHeads.HasDecoder(head);
        if (hasDecoder && version < DecoderVersion)
            throw Corrupt($"the head is {head}, which format 0x{version:X8} does not have (it came with 0x{DecoderVersion:X8})");
        DecoderSettings decoder = first ? DecoderSettings.None : ReadHeadSettings(r, hasDecoder);
        var cell = r.ReadEnum<RnnCellType>("cell");
        var nonlinearity = r.ReadEnum<RnnNonlinearity>("nonlinearity");
        int inputSize = r.ReadInt32("input size", 1, RnnLimits.MaxInputSize);
        int hiddenSize = r.ReadInt32("hidden size", 1, RnnLimits.MaxHiddenSize);
        int outputSize = r.ReadInt32("output size", 1, RnnLimits.MaxOutputSize);
        int layers = r.ReadInt32("layers", 1, RnnLimits.MaxLayers);
        bool bidirectional = r.ReadBoolean("bidirectional");
        float dropout = r.ReadSingle("dropout");
        if (!(dropout >= 0f && dropout < 1f))
            throw Corrupt($"the dropout is {dropout}; expected [0, 1)");
        bool scalarScore = r.ReadBoolean("scalar score");
        CheckOutputs(task, head, outputSize, scalarScore);
        CheckFeedback(task, decoder.OutputFeedback);
        bool isSeries = r.ReadBoolean("feature source");
        int featureCount = r.ReadInt32("feature column count", 1, isSeries ? RnnLimits.MaxSeriesColumns : 1);
        if (isSeries && featureCount != inputSize)
            throw Corrupt($"{featureCount} series columns for an input size of {inputSize}");
        r.EnsureLeft((long)featureCount * sizeof(int), "feature column names");
        var features = new string[featureCount];
        for (int i = 0; i < featureCount; i++)
            features[i] = r.ReadString("feature column name", nonEmpty: true);
        string? duplicate = features.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw Corrupt($"the series column '{duplicate}' appears twice");

        // What scoring needs; training settings are the defaults unless a 0x00010001 file holds them.
        var options = new RnnTrainer.Options
        {
            Task = task,
            Head = head,
            Cell = cell,
            Nonlinearity = nonlinearity,
            InputSize = inputSize,
            HiddenSize = hiddenSize,
            NumberOfLayers = layers,
            Bidirectional = bidirectional,
            Dropout = dropout,
            OutputLength = decoder.OutputLength,
            Context = decoder.Context,
            DecoderInput = decoder.DecoderInput,
            FeedPreviousOutput = decoder.OutputFeedback != RnnOutputFeedback.None,
            FeatureColumnName = isSeries ? new RnnTrainer.Options().FeatureColumnName : features[0],
            SeriesColumnNames = isSeries ? features.ToArray() : null,
        };
        if (first)
            ReadFirstVersionTrainingSettings(r, options);

        RnnKeyValues? keyValues = ReadKeyValues(r, task, outputSize);
        RnnLabelStandardization? labels = first ? null : ReadLabelStandardization(r, task, outputSize);
        options.StandardizeLabel = labels is not null;
        DistributionSection distribution = version >= CurrentVersion ? ReadDistribution(r, task) : DistributionSection.None;
        options.Distribution = distribution.Distribution;
        options.ConfidenceLevel = distribution.ConfidenceLevel;
        if (distribution.Distribution != RnnDistribution.None)
            options.CalibrateIntervals = distribution.CalibrationFactor is not null;

        var shape = new RnnNetworkShape(cell, inputSize, hiddenSize, outputSize, layers, bidirectional, nonlinearity, head, dropout)
        {
            OutputLength = decoder.OutputLength,
            Context = decoder.Context,
            DecoderInput = decoder.DecoderInput,
            OutputFeedback = decoder.OutputFeedback,
            Distribution = distribution.Distribution,
        };
        try
        {
            shape.Validate();
        }
        catch (ArgumentException e)
        {
            throw Corrupt($"the network shape is invalid: {e.Message}");
        }

        // The shape alone decides how many parameters the network allocates: the payload must be able to hold them,
        // and the network is constructed only once they have all been read, so a few corrupt size fields (or a
        // payload length that lies) cannot request gigabytes.
        long expected = shape.ParameterCount;
        if (expected > r.Left / sizeof(float))
            throw Corrupt($"the network shape needs {expected} parameters but only {r.Left} bytes are left");

        int tensorCount = r.ReadInt32("tensor count", 1, RnnLimits.MaxParameterTensors);
        var parameters = new Dictionary<string, float[]>(tensorCount, StringComparer.Ordinal);
        long total = 0;
        for (int t = 0; t < tensorCount; t++)
        {
            string name = r.ReadString("tensor name", nonEmpty: true);
            int rank = r.ReadInt32($"rank of '{name}'", 1, RnnLimits.MaxTensorRank);
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                // 0 where the network has an empty tensor: the weight_ih of a decoder that reads no input (PyTorch's input_size = 0).
                count *= r.ReadInt32($"dimension {d} of '{name}'", 0, int.MaxValue);
                if (count > r.Left / sizeof(float))
                    throw Corrupt($"tensor '{name}' declares more values than the {r.Left} bytes left");
                if (total + count > expected)
                    throw Corrupt($"tensor '{name}' declares more values than the {expected} parameters of the network shape");
            }

            total += count;
            if (!parameters.TryAdd(name, r.ReadSingles(count, $"values of '{name}'")))
                throw Corrupt($"tensor '{name}' appears twice");
        }

        if (total != expected)
            throw Corrupt($"the tensors hold {total} values; the network shape needs {expected}");

        if (!first)
            options.Seed = r.ReadInt32("seed", int.MinValue, int.MaxValue);
        int epochs = r.ReadInt32("history count", 0, int.MaxValue);
        int epochBytes = sizeof(int) + sizeof(float) + 1 + sizeof(float) + (first ? sizeof(double) : sizeof(float));
        r.EnsureLeft((long)epochs * epochBytes, "history");
        var history = new List<RnnEpochReport>(Math.Min(epochs, 1024)); // grows as epochs arrive: the count may lie
        for (int e = 0; e < epochs; e++)
        {
            int epoch = r.ReadInt32("epoch", 1, int.MaxValue);
            float train = r.ReadSingle("train loss");
            bool hasValidation = r.ReadBoolean("has validation loss");
            float validation = r.ReadSingle("validation loss");
            double seconds = first ? r.ReadDouble("seconds") : double.NaN;
            // 0x00010001 had no schedule: every epoch ran at the stored learning rate.
            float learningRate = first ? options.LearningRate : r.ReadSingle("learning rate");
            if (!(learningRate >= 0 && float.IsFinite(learningRate)))
                throw Corrupt($"epoch {epoch}'s learning rate is {learningRate}; expected a finite value ≥ 0");
            history.Add(new RnnEpochReport(epoch, train, hasValidation ? validation : null, seconds) { LearningRate = learningRate });
        }

        if (r.Left != 0)
            throw Corrupt($"{r.Left} unexpected bytes follow the model");
        if (r.Checksum != checksum)
            throw Corrupt($"the checksum is 0x{r.Checksum:X8}; the file says 0x{checksum:X8}");

        RnnNetwork network;
        try
        {
            network = RnnNetwork.FromParameters(shape, parameters);
        }
        catch (ArgumentException e)
        {
            throw Corrupt($"the parameters do not fit the network: {e.Message}");
        }

        return new RnnModelData
        {
            Options = options,
            FeatureColumns = features,
            IsSeries = isSeries,
            ScalarScore = scalarScore,
            KeyValues = keyValues,
            LabelStandardization = labels,
            Network = network,
            History = history.ToArray(),
            IntervalCalibrationFactor = distribution.CalibrationFactor,
        };
    }

    /// <summary>Format 0x00010001 also stored the label column and the training settings, between the features and the key values.</summary>
    private static void ReadFirstVersionTrainingSettings(RnnPayloadReader r, RnnTrainer.Options options)
    {
        options.LabelColumnName = r.ReadString("label column name", nonEmpty: true);
        options.BatchSize = r.ReadInt32("batch size", 1, int.MaxValue);
        options.MaxEpochs = r.ReadInt32("max epochs", 0, int.MaxValue);
        options.LearningRate = r.ReadSingle("learning rate");
        options.Optimizer = r.ReadEnum<RnnOptimizerKind>("optimizer");
        options.Momentum = r.ReadSingle("momentum");
        options.WeightDecay = r.ReadSingle("weight decay");
        options.GradientClipNorm = r.ReadSingle("gradient clip norm");
        options.Shuffle = r.ReadBoolean("shuffle");
        options.Seed = r.ReadInt32("seed", int.MinValue, int.MaxValue);
        options.EarlyStoppingPatience = r.ReadInt32("early stopping patience", 0, int.MaxValue);
        options.Stateful = r.ReadBoolean("stateful");
        int threads = r.ReadInt32("threads", 0, int.MaxValue);
        options.NumberOfThreads = threads == 0 ? null : threads;
    }

    /// <summary>The outputs the task and head imply, as training makes them (<c>RnnSchemaBinding</c>): a file that disagrees
    /// would score silently wrong (a scalar <c>Score</c> that is output 0 of five, a one-class classifier).</summary>
    private static void CheckOutputs(RnnTask task, RnnHead head, int outputSize, bool scalarScore)
    {
        if (scalarScore && (task != RnnTask.Regression || RnnHeads.Structure(head, 1).HasStepAxis || outputSize != 1))
            throw Corrupt($"the scalar score flag is set for a {task} model with head {head} and {outputSize} outputs; only regression N vs 1 with one output has a scalar score");
        if (task == RnnTask.BinaryClassification && outputSize != 1)
            throw Corrupt($"the binary classification model has {outputSize} outputs per step; expected 1");
        if (task == RnnTask.MulticlassClassification && outputSize < 2)
            throw Corrupt($"the multiclass model has {outputSize} class; expected at least 2");
    }

    /// <summary>The head settings section: empty for the heads without a decoder, the decoder's four settings for the others.</summary>
    private static void WriteHeadSettings(BinaryWriter w, RnnNetworkShape shape)
    {
        if (!shape.HasDecoder)
        {
            w.Write(0);
            return;
        }

        w.Write(DecoderSettingsBytes);
        w.Write(shape.OutputLength);
        w.Write((byte)shape.Context);
        w.Write((byte)shape.DecoderInput);
        w.Write((byte)shape.OutputFeedback);
    }

    /// <summary>Reads the head settings section, whose length the head fixes; the shape's rules check the values against each other later.</summary>
    private static DecoderSettings ReadHeadSettings(RnnPayloadReader r, bool hasDecoder)
    {
        int length = hasDecoder ? DecoderSettingsBytes : 0;
        r.ReadInt32("head settings length", length, length);
        if (!hasDecoder)
            return DecoderSettings.None;
        return new DecoderSettings(
            r.ReadInt32("output length", 1, RnnLimits.MaxOutputLength),
            r.ReadEnum<RnnContext>("context"),
            r.ReadEnum<RnnDecoderInput>("decoder input"),
            r.ReadEnum<RnnOutputFeedback>("output feedback"));
    }

    /// <summary>What the decoder feeds back is the task's kind of output (training maps <c>FeedPreviousOutput</c> so): any
    /// other would feed the decoder values it was never trained on.</summary>
    private static void CheckFeedback(RnnTask task, RnnOutputFeedback feedback)
    {
        RnnOutputFeedback taskFeedback = RnnTrainer.Options.OutputFeedbackOf(task);
        if (feedback != RnnOutputFeedback.None && feedback != taskFeedback)
            throw Corrupt($"the output feedback is {feedback} for a {task} model; expected None or {taskFeedback}");
    }

    /// <summary>The decoder's settings as the head settings section holds them; <see cref="None"/> (the shape's defaults) for the other heads.</summary>
    private readonly record struct DecoderSettings(int OutputLength, RnnContext Context, RnnDecoderInput DecoderInput, RnnOutputFeedback OutputFeedback)
    {
        public static DecoderSettings None => new(1, RnnContext.LastState, RnnDecoderInput.InitialState, RnnOutputFeedback.None);
    }

    private static void WriteKeyValues(BinaryWriter w, RnnKeyValues? keyValues)
    {
        if (keyValues is null)
        {
            w.Write((byte)RnnKeyValueKind.None);
            return;
        }

        w.Write((byte)keyValues.Kind);
        w.Write(keyValues.Count);
        switch (keyValues.Values)
        {
            case string[] text: foreach (string v in text) WriteString(w, v); break;
            case float[] singles: foreach (float v in singles) w.Write(v); break;
            case double[] doubles: foreach (double v in doubles) w.Write(v); break;
            case bool[] booleans: foreach (bool v in booleans) w.Write(v); break;
            case int[] ints: foreach (int v in ints) w.Write(v); break;
            case uint[] uints: foreach (uint v in uints) w.Write(v); break;
            case long[] longs: foreach (long v in longs) w.Write(v); break;
            case ulong[] ulongs: foreach (ulong v in ulongs) w.Write(v); break;
            default: throw new InvalidOperationException($"Key values of kind {keyValues.Kind} cannot be written.");
        }
    }

    private static RnnKeyValues? ReadKeyValues(RnnPayloadReader r, RnnTask task, int outputSize)
    {
        var kind = r.ReadEnum<RnnKeyValueKind>("key value kind");
        if (kind == RnnKeyValueKind.None)
            return null;
        if (task != RnnTask.MulticlassClassification)
            throw Corrupt($"key values are stored for a {task} model");
        int count = r.ReadInt32("key value count", outputSize, outputSize);
        int itemBytes = kind switch
        {
            RnnKeyValueKind.Text => sizeof(int),
            RnnKeyValueKind.Boolean => 1,
            RnnKeyValueKind.Single or RnnKeyValueKind.Int32 or RnnKeyValueKind.UInt32 => 4,
            _ => 8,
        };
        r.EnsureLeft((long)count * itemBytes, "key values");
        Array values = kind switch
        {
            RnnKeyValueKind.Text => Fill(count, () => r.ReadString("key value", nonEmpty: false)),
            RnnKeyValueKind.Single => Fill(count, () => r.ReadSingle("key value")),
            RnnKeyValueKind.Double => Fill(count, () => r.ReadDouble("key value")),
            RnnKeyValueKind.Boolean => Fill(count, () => r.ReadBoolean("key value")),
            RnnKeyValueKind.Int32 => Fill(count, () => r.ReadInt32("key value", int.MinValue, int.MaxValue)),
            RnnKeyValueKind.UInt32 => Fill(count, () => (uint)r.ReadInt32("key value", int.MinValue, int.MaxValue)),
            RnnKeyValueKind.Int64 => Fill(count, () => r.ReadInt64("key value")),
            _ => Fill(count, () => (ulong)r.ReadInt64("key value")),
        };
        return RnnKeyValues.Create(kind, values);
    }

    private static void WriteLabelStandardization(BinaryWriter w, RnnLabelStandardization? labels)
    {
        w.Write(labels is not null);
        if (labels is null)
            return;
        foreach (float mean in labels.Mean)
            w.Write(mean);
        foreach (float deviation in labels.StandardDeviation)
            w.Write(deviation);
    }

    /// <summary>The label statistics scoring maps outputs back with: a wrong one would scale every score silently, so each is checked.</summary>
    private static RnnLabelStandardization? ReadLabelStandardization(RnnPayloadReader r, RnnTask task, int outputSize)
    {
        if (!r.ReadBoolean("label standardised"))
            return null;
        if (task != RnnTask.Regression)
            throw Corrupt($"label statistics are stored for a {task} model");
        float[] mean = r.ReadSingles(outputSize, "label means");
        float[] deviation = r.ReadSingles(outputSize, "label standard deviations");
        for (int j = 0; j < outputSize; j++)
        {
            if (!float.IsFinite(mean[j]))
                throw Corrupt($"the label mean of output {j} is {mean[j]}; expected a finite value");
            if (!(float.IsFinite(deviation[j]) && deviation[j] > 0))
                throw Corrupt($"the label standard deviation of output {j} is {deviation[j]}; expected a finite value above 0");
        }

        return new RnnLabelStandardization(mean, deviation);
    }

    private static void WriteDistribution(BinaryWriter w, RnnModelData model)
    {
        RnnDistribution distribution = model.Network.Shape.Distribution;
        w.Write((byte)distribution);
        if (distribution == RnnDistribution.None)
            return;
        w.Write(model.Options.ConfidenceLevel);
        w.Write(model.IntervalCalibrationFactor.HasValue);
        w.Write(model.IntervalCalibrationFactor ?? 1f);
    }

    /// <summary>The distribution section: what scoring turns the head's raw values into intervals with. A wrong level or
    /// factor would give intervals of the wrong width silently, so each is checked.</summary>
    private static DistributionSection ReadDistribution(RnnPayloadReader r, RnnTask task)
    {
        var distribution = r.ReadEnum<RnnDistribution>("distribution");
        if (distribution == RnnDistribution.None)
            return DistributionSection.None;
        if (task != RnnTask.Regression)
            throw Corrupt($"the distribution is {distribution} for a {task} model; only regression predicts a distribution");
        float level = r.ReadSingle("confidence level");
        if (!(level > 0f && level < 1f))
            throw Corrupt($"the confidence level is {level}; expected a probability strictly between 0 and 1");
        bool calibrated = r.ReadBoolean("calibrated");
        float factor = r.ReadSingle("calibration factor");
        if (!(factor > 0f && float.IsFinite(factor)))
            throw Corrupt($"the calibration factor is {factor}; expected a finite value above 0");
        if (!calibrated && factor != 1f)
            throw Corrupt($"the calibration factor is {factor} for intervals that are not calibrated; expected 1");
        return new DistributionSection(distribution, level, calibrated ? factor : null);
    }

    /// <summary>The distribution section as read; <see cref="None"/> for a point model and for formats before 0x00010004.</summary>
    private readonly record struct DistributionSection(RnnDistribution Distribution, float ConfidenceLevel, float? CalibrationFactor)
    {
        public static DistributionSection None => new(RnnDistribution.None, new RnnTrainer.Options().ConfidenceLevel, null);
    }

    private static T[] Fill<T>(int count, Func<T> read)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
            values[i] = read();
        return values;
    }

    /// <summary>Writes a string as the format reads it (<see cref="RnnPayloadReader.ReadString"/>).</summary>
    public static void WriteString(BinaryWriter w, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > RnnLimits.MaxStringBytes)
            throw new InvalidOperationException($"A name of {bytes.Length} UTF-8 bytes is longer than the model format's limit of {RnnLimits.MaxStringBytes}.");
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    /// <summary>The exception for a file this reader rejects: one type, a message that says which value is wrong, no inner
    /// exception (so <see cref="Exception.GetBaseException"/> of what ML.NET throws is this one).</summary>
    internal static InvalidDataException Corrupt(string what) =>
        new($"The RNN model is corrupt or was not written by Microsoft.ML.Rnn: {what}. Use an intact copy of the file, or save the model again.");
}
