using System.Text;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The model-file entries of <see cref="SequenceWindowNormalizingTransformer"/> and <see cref="SequenceForecastDenormalizingTransformer"/>:
/// the one place that writes and reads them (docs/model-format.md, "Window normalisation transforms").
/// </summary>
/// <remarks>
/// Each entry is ML.NET's model header, then the envelope the RNN transformer's entry uses (<see cref="RnnModelFormat.WriteEnvelope"/>:
/// int64 payload length, uint32 CRC-32, payload), so a damaged or truncated entry is caught the same way.
/// <code>
/// Normalising payload (version 0x00010001), little-endian:
///   byte    normalisation        SequenceWindowNormalization: 1 RelativeToFirst, 2 RelativeToLast
///   int32   features per step    1 .. 2^16
///   int32   reference feature    0 .. features per step − 1
///   string  input column         non-empty
///   string  output column        non-empty
///   string  reference column     non-empty
///   string  label column         empty for none
/// Denormalising payload (version 0x00010001):
///   string  reference column     non-empty
///   int32   column count         1 .. 64
///   per column:
///     string  output column      non-empty
///     string  input column       non-empty
///     byte    optional           0 or 1: 1 leaves the column out when the input lacks it
/// string: int32 byte count (0 .. 2^20), then that many UTF-8 bytes.
/// </code>
/// Output column names must differ from each other and from the reference column. Any other value, trailing bytes or a wrong
/// checksum is a corrupt entry: <see cref="InvalidDataException"/>.
/// </remarks>
internal static class WindowTransformFormat
{
    /// <summary>The normalising transformer's loader signature (at most 24 characters).</summary>
    public const string NormalizerLoaderSignature = "SeqWindowNormalize";

    /// <summary>The denormalising transformer's loader signature.</summary>
    public const string DenormalizerLoaderSignature = "SeqForecastDenormalize";

    /// <summary>The format both write today.</summary>
    public const uint CurrentVersion = 0x00010001;

    /// <summary>The normalising transformer's version block.</summary>
    public static VersionInfo NormalizerVersionInfo() => new(
        modelSignature: "SQWINNRM",
        // 0x00010001: initial format.
        verWrittenCur: CurrentVersion,
        verReadableCur: CurrentVersion,
        verWeCanReadBack: CurrentVersion,
        loaderSignature: NormalizerLoaderSignature,
        loaderAssemblyName: typeof(WindowTransformFormat).Assembly.FullName);

    /// <summary>The denormalising transformer's version block.</summary>
    public static VersionInfo DenormalizerVersionInfo() => new(
        modelSignature: "SQFCDNRM",
        // 0x00010001: initial format.
        verWrittenCur: CurrentVersion,
        verReadableCur: CurrentVersion,
        verWeCanReadBack: CurrentVersion,
        loaderSignature: DenormalizerLoaderSignature,
        loaderAssemblyName: typeof(WindowTransformFormat).Assembly.FullName);

    /// <summary>Writes the normalising transformer behind ML.NET's header.</summary>
    public static void Save(ModelSaveContext ctx, WindowNormalizationSettings settings)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(NormalizerVersionInfo());
        RnnModelFormat.WriteEnvelope(ctx.Writer, Payload(w =>
        {
            w.Write((byte)settings.Normalization);
            w.Write(settings.FeaturesPerStep);
            w.Write(settings.ReferenceFeature);
            RnnModelFormat.WriteString(w, settings.InputColumnName);
            RnnModelFormat.WriteString(w, settings.OutputColumnName);
            RnnModelFormat.WriteString(w, settings.ReferenceColumnName);
            RnnModelFormat.WriteString(w, settings.LabelColumnName);
        }));
    }

    /// <summary>Writes the denormalising transformer behind ML.NET's header.</summary>
    public static void Save(ModelSaveContext ctx, ForecastDenormalizationSettings settings)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(DenormalizerVersionInfo());
        RnnModelFormat.WriteEnvelope(ctx.Writer, Payload(w =>
        {
            RnnModelFormat.WriteString(w, settings.ReferenceColumnName);
            w.Write(settings.Columns.Count);
            foreach (ForecastColumn column in settings.Columns)
            {
                RnnModelFormat.WriteString(w, column.OutputColumnName);
                RnnModelFormat.WriteString(w, column.InputColumnName);
                w.Write(column.Optional);
            }
        }));
    }

    /// <summary>Reads what the normalising <see cref="Save(ModelSaveContext, WindowNormalizationSettings)"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The entry is corrupt, truncated, not ours, or from a newer release.</exception>
    public static WindowNormalizationSettings LoadNormalizer(ModelLoadContext ctx)
    {
        RnnPayloadReader r = Open(ctx, NormalizerVersionInfo(), "sequence window normalising transform", out uint checksum);
        var settings = new WindowNormalizationSettings(
            r.ReadEnum<SequenceWindowNormalization>("normalisation"),
            r.ReadInt32("features per step", 1, RnnLimits.MaxInputSize),
            r.ReadInt32("reference feature", 0, RnnLimits.MaxInputSize - 1),
            r.ReadString("input column name", nonEmpty: true),
            r.ReadString("output column name", nonEmpty: true),
            r.ReadString("reference column name", nonEmpty: true),
            r.ReadString("label column name", nonEmpty: false));
        Close(r, checksum);
        return settings.Problem() is { } problem ? throw RnnModelFormat.Corrupt(problem) : settings;
    }

    /// <summary>Reads what the denormalising <see cref="Save(ModelSaveContext, ForecastDenormalizationSettings)"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The entry is corrupt, truncated, not ours, or from a newer release.</exception>
    public static ForecastDenormalizationSettings LoadDenormalizer(ModelLoadContext ctx)
    {
        RnnPayloadReader r = Open(ctx, DenormalizerVersionInfo(), "sequence forecast denormalising transform", out uint checksum);
        string reference = r.ReadString("reference column name", nonEmpty: true);
        int count = r.ReadInt32("forecast column count", 1, ForecastDenormalizationSettings.MaxColumns);
        var columns = new ForecastColumn[count];
        for (int i = 0; i < count; i++)
        {
            columns[i] = new ForecastColumn(
                r.ReadString("forecast output column name", nonEmpty: true),
                r.ReadString("forecast input column name", nonEmpty: true),
                r.ReadBoolean("optional column"));
        }

        Close(r, checksum);
        var settings = new ForecastDenormalizationSettings(reference, columns);
        return settings.Problem() is { } problem ? throw RnnModelFormat.Corrupt(problem) : settings;
    }

    private static byte[] Payload(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            write(writer);
        return stream.ToArray();
    }

    private static RnnPayloadReader Open(ModelLoadContext ctx, VersionInfo version, string what, out uint checksum)
    {
        try
        {
            ctx.CheckAtModel(version);
        }
        catch (FormatException e)
        {
            // One exception type for every failure of an entry, as for the RNN transformer's (docs/api.md, "Errors").
            throw new InvalidDataException(
                $"The {what}'s entry header does not match Microsoft.ML.Rnn ({e.Message}): the file is damaged, was not written by " +
                $"Microsoft.ML.Rnn, or a newer release wrote it (this one reads format 0x{CurrentVersion:X8}). " +
                "Use an intact copy of the file, or a release that reads its format.");
        }

        (RnnPayloadReader payload, checksum) = RnnModelFormat.ReadEnvelope(ctx.Reader, RnnModelFormat.BytesLeft(ctx));
        return payload;
    }

    private static void Close(RnnPayloadReader r, uint checksum)
    {
        if (r.Left != 0)
            throw RnnModelFormat.Corrupt($"{r.Left} unexpected bytes follow the transform's settings");
        if (r.Checksum != checksum)
            throw RnnModelFormat.Corrupt($"the checksum is 0x{r.Checksum:X8}; the file says 0x{checksum:X8}");
    }
}
