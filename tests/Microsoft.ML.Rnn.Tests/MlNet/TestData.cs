using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>Tiny generated data sets (never read from disk) and pipelines for the ML.NET-side tests.</summary>
internal static class TestData
{
    public const int Steps = 4;
    public const int InputSize = 2;
    public const int Length = Steps * InputSize;

    /// <summary>M: the output steps of the decoder heads' test data (not the input's 4 steps, so that a mix-up shows).</summary>
    public const int OutputLength = 3;
    public static readonly string[] Classes = ["low", "mid", "high"];

    public sealed class RegressionRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class RegressionVectorRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        [VectorType(Steps)] public float[] Label { get; set; } = [];
    }

    public sealed class BinaryRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public sealed class BinaryVectorRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        [VectorType(Steps)] public bool[] Label { get; set; } = [];
    }

    public sealed class ClassRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class ClassVectorRow
    {
        [VectorType(Length)] public float[] Features { get; set; } = [];
        [VectorType(Steps)] public string[] Label { get; set; } = [];
    }

    public sealed class VariableRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class VariableVectorRow
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }

    /// <summary>A row of the decoder heads' data, whose vector sizes <see cref="Sized"/> declares.</summary>
    public sealed class DecoderRow<TLabel>
    {
        public float[] Features { get; set; } = [];
        public TLabel[] Label { get; set; } = [];
    }

    /// <summary>Whether <paramref name="head"/> emits <see cref="OutputLength"/> steps from a decoder.</summary>
    public static bool HasDecoder(RnnHead head) => head is RnnHead.OneToMany or RnnHead.EncoderDecoder;

    /// <summary>
    /// The targets of the decoder heads' data, M = <see cref="OutputLength"/> steps: for 1 vs N (one input vector x of
    /// <see cref="InputSize"/> values) the ramp x₀ + t·x₁ for t = 0, 1, 2; for N vs M the running sums of the first M steps
    /// (<see cref="RunningSums"/>).
    /// </summary>
    public static float[] DecoderTargets(RnnHead head, float[] features) => head == RnnHead.OneToMany
        ? Enumerable.Range(0, OutputLength).Select(t => features[0] + t * features[1]).ToArray()
        : RunningSums(features)[..OutputLength];

    /// <summary>Rows with known-size feature and label vectors of the given sizes (ML.NET reads arrays as variable-size vectors otherwise).</summary>
    public static IDataView Sized<TLabel>(MLContext ml, IEnumerable<DecoderRow<TLabel>> rows, int featureSize, int labelSize, PrimitiveDataViewType labelItem)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(DecoderRow<TLabel>));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureSize);
        schema["Label"].ColumnType = new VectorDataViewType(labelItem, labelSize);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>The decoder heads' data: 1 vs N rows hold one input vector of <see cref="InputSize"/> values, N vs M rows
    /// a sequence of <see cref="Steps"/> steps; labels hold <see cref="OutputLength"/> steps of <see cref="DecoderTargets"/>.</summary>
    private static IDataView DecoderData(MLContext ml, RnnTask task, RnnHead head, int rows, int seed)
    {
        int featureSize = head == RnnHead.OneToMany ? InputSize : Length;
        float[][] x = Sequences(rows, seed, featureSize);
        return task switch
        {
            RnnTask.Regression => Sized(ml, x.Select(f => new DecoderRow<float> { Features = f, Label = DecoderTargets(head, f) }),
                featureSize, OutputLength, NumberDataViewType.Single),
            RnnTask.BinaryClassification => Sized(ml, x.Select(f => new DecoderRow<bool> { Features = f, Label = DecoderTargets(head, f).Select(v => v > 0).ToArray() }),
                featureSize, OutputLength, BooleanDataViewType.Instance),
            _ => Sized(ml, x.Select(f => new DecoderRow<string> { Features = f, Label = DecoderTargets(head, f).Select(ClassOf).ToArray() }),
                featureSize, OutputLength, TextDataViewType.Instance),
        };
    }

    /// <summary>Deterministic pseudo-random sequences in [-1, 1].</summary>
    public static float[][] Sequences(int rows, int seed, int length = Length)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
    }

    /// <summary>The sum of each step's first feature up to and including that step (a target an RNN can learn).</summary>
    public static float[] RunningSums(float[] sequence, int inputSize = InputSize)
    {
        var sums = new float[sequence.Length / inputSize];
        float total = 0;
        for (int t = 0; t < sums.Length; t++)
        {
            total += sequence[t * inputSize];
            sums[t] = total;
        }

        return sums;
    }

    public static string ClassOf(float value) => value < -0.3f ? "low" : value < 0.3f ? "mid" : "high";

    public static IDataView Data(MLContext ml, RnnTask task, RnnHead head, int rows = 24, int seed = 7)
    {
        if (HasDecoder(head))
            return DecoderData(ml, task, head, rows, seed);
        float[][] x = Sequences(rows, seed);
        return (task, head) switch
        {
            (RnnTask.Regression, RnnHead.ManyToOne) => ml.Data.LoadFromEnumerable(x.Select(s => new RegressionRow { Features = s, Label = RunningSums(s)[^1] })),
            (RnnTask.Regression, _) => ml.Data.LoadFromEnumerable(x.Select(s => new RegressionVectorRow { Features = s, Label = RunningSums(s) })),
            (RnnTask.BinaryClassification, RnnHead.ManyToOne) => ml.Data.LoadFromEnumerable(x.Select(s => new BinaryRow { Features = s, Label = RunningSums(s)[^1] > 0 })),
            (RnnTask.BinaryClassification, _) => ml.Data.LoadFromEnumerable(x.Select(s => new BinaryVectorRow { Features = s, Label = RunningSums(s).Select(v => v > 0).ToArray() })),
            (RnnTask.MulticlassClassification, RnnHead.ManyToOne) => ml.Data.LoadFromEnumerable(x.Select(s => new ClassRow { Features = s, Label = ClassOf(RunningSums(s)[^1]) })),
            _ => ml.Data.LoadFromEnumerable(x.Select(s => new ClassVectorRow { Features = s, Label = RunningSums(s).Select(ClassOf).ToArray() })),
        };
    }

    public static RnnTrainer.Options Options(RnnCellType cell = RnnCellType.Lstm, RnnHead head = RnnHead.ManyToOne, int epochs = 3) => new()
    {
        InputSize = InputSize,
        Cell = cell,
        Head = head,
        OutputLength = HasDecoder(head) ? OutputLength : 1,
        HiddenSize = 5,
        BatchSize = 8,
        MaxEpochs = epochs,
        LearningRate = 0.01f,
        Seed = 3,
        NumberOfThreads = 1,
    };

    /// <summary>Multiclass labels become keys first (sorted by value so key order is stable); other tasks train directly.</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, RnnTask task, RnnTrainer.Options options) => task switch
    {
        RnnTask.Regression => ml.Regression.Trainers.Rnn(options),
        RnnTask.BinaryClassification => ml.BinaryClassification.Trainers.Rnn(options),
        _ => ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.Rnn(options)),
    };

    /// <summary>Every output column's values as exact bit patterns, row by row, for bit-identical comparisons.</summary>
    public static List<string> OutputBits(IDataView scored, params string[] only)
    {
        string[] columns = only.Length > 0 ? only
            : new[] { "Score", "Probability", "PredictedLabel" }.Where(n => scored.Schema.GetColumnOrNull(n) is not null).ToArray();
        var rows = new List<string>();
        using var cursor = scored.GetRowCursor(columns.Select(n => scored.Schema[n]));
        var getters = columns.Select(n => MakeBitsGetter(cursor, scored.Schema[n])).ToArray();
        while (cursor.MoveNext())
            rows.Add(string.Join(" | ", getters.Select(g => g())));
        return rows;
    }

    public static Func<string> MakeBitsGetter(DataViewRow row, DataViewSchema.Column column)
    {
        DataViewType type = column.Type;
        DataViewType item = (type as VectorDataViewType)?.ItemType ?? type;
        bool vector = type is VectorDataViewType;
        return (item.RawType.Name, vector) switch
        {
            ("Single", false) => Scalar<float>(row, column, v => BitConverter.SingleToInt32Bits(v).ToString("X8")),
            ("Single", true) => Vector<float>(row, column, v => BitConverter.SingleToInt32Bits(v).ToString("X8")),
            ("Boolean", false) => Scalar<bool>(row, column, v => v ? "T" : "F"),
            ("Boolean", true) => Vector<bool>(row, column, v => v ? "T" : "F"),
            ("UInt32", false) => Scalar<uint>(row, column, v => v.ToString()),
            ("UInt32", true) => Vector<uint>(row, column, v => v.ToString()),
            _ => throw new NotSupportedException(type.ToString()),
        };
    }

    private static Func<string> Scalar<T>(DataViewRow row, DataViewSchema.Column column, Func<T, string> format)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () => { getter(ref value); return format(value); };
    }

    private static Func<string> Vector<T>(DataViewRow row, DataViewSchema.Column column, Func<T, string> format)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        return () => { getter(ref value); return "[" + string.Join(",", value.DenseValues().Select(format)) + "]"; };
    }

    public static string TempPath(string extension = ".zip") => Path.Combine(Path.GetTempPath(), "rnn-tests-" + Guid.NewGuid().ToString("N") + extension);
}
