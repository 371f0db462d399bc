using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.Onnx;

/// <summary>Generated sequences for the ONNX export tests, fixed-length (a known vector size) or ragged (1 to 6 steps), with
/// a label column for every task and head.</summary>
internal static class OnnxExportData
{
    public const int InputSize = 2;
    public const int FixedSteps = 4;

    public sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Value { get; set; }
        public bool Flag { get; set; }
        public string Class { get; set; } = "";
        public float[] Values { get; set; } = [];
        public bool[] Flags { get; set; } = [];
        public string[] Classes { get; set; } = [];

        /// <summary>One vector per row, for 1 vs N.</summary>
        public float[] Vector { get; set; } = [];

        /// <summary>M = <see cref="OutputLength"/> steps of labels, for 1 vs N and N vs M.</summary>
        public float[] AheadValues { get; set; } = [];
        public bool[] AheadFlags { get; set; } = [];
        public string[] AheadClasses { get; set; } = [];
    }

    /// <summary>Steps the decoder heads emit.</summary>
    public const int OutputLength = 3;

    /// <summary><paramref name="rows"/> rows; with <paramref name="variable"/> the vector columns have no known size.</summary>
    public static IDataView Load(MLContext ml, bool variable, int rows = 16, int seed = 5)
    {
        var random = new Random(seed);
        var data = new List<Row>();
        for (int i = 0; i < rows; i++)
        {
            int steps = variable ? random.Next(1, 7) : FixedSteps;
            float[] x = Enumerable.Range(0, steps * InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] sums = new float[steps];
            for (int t = 0; t < steps; t++)
                sums[t] = (t > 0 ? sums[t - 1] : 0) + x[t * InputSize];
            data.Add(new Row
            {
                Features = x,
                Value = sums[^1],
                Flag = sums[^1] > 0,
                Class = ClassOf(sums[^1]),
                Values = sums,
                Flags = sums.Select(s => s > 0).ToArray(),
                Classes = sums.Select(ClassOf).ToArray(),
                Vector = x[..InputSize],
                AheadValues = Ahead(sums[^1]),
                AheadFlags = Ahead(sums[^1]).Select(s => s > 0).ToArray(),
                AheadClasses = Ahead(sums[^1]).Select(ClassOf).ToArray(),
            });
        }

        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema["Vector"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputSize);
        schema["AheadValues"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, OutputLength);
        schema["AheadFlags"].ColumnType = new VectorDataViewType(BooleanDataViewType.Instance, OutputLength);
        schema["AheadClasses"].ColumnType = new VectorDataViewType(TextDataViewType.Instance, OutputLength);
        if (!variable)
        {
            schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FixedSteps * InputSize);
            schema["Values"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FixedSteps);
            schema["Flags"].ColumnType = new VectorDataViewType(BooleanDataViewType.Instance, FixedSteps);
            schema["Classes"].ColumnType = new VectorDataViewType(TextDataViewType.Instance, FixedSteps);
        }

        return ml.Data.LoadFromEnumerable(data, schema);
    }

    /// <summary>A path of <see cref="OutputLength"/> values from the sequence's last sum: the decoder heads' label.</summary>
    private static float[] Ahead(float last) => Enumerable.Range(1, OutputLength).Select(k => last * (1 - 0.3f * k) + 0.1f * k).ToArray();

    private static string ClassOf(float value) => value < -0.3f ? "low" : value < 0.3f ? "mid" : "high";

    /// <summary>The label column the trainer reads for <paramref name="task"/> and <paramref name="head"/>, and the estimator
    /// that makes it (multiclass labels become keys first, ordered by value).</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, RnnTask task, RnnHead head, RnnTrainer.Options options)
    {
        bool perStep = head == RnnHead.ManyToMany, ahead = head is RnnHead.OneToMany or RnnHead.EncoderDecoder;
        if (ahead)
            options.OutputLength = OutputLength;
        if (head == RnnHead.OneToMany)
            options.FeatureColumnName = "Vector";
        switch (task)
        {
            case RnnTask.Regression:
                options.LabelColumnName = ahead ? "AheadValues" : perStep ? "Values" : "Value";
                return ml.Regression.Trainers.Rnn(options);
            case RnnTask.BinaryClassification:
                options.LabelColumnName = ahead ? "AheadFlags" : perStep ? "Flags" : "Flag";
                return ml.BinaryClassification.Trainers.Rnn(options);
            default:
                options.LabelColumnName = "Label";
                return ml.Transforms.Conversion.MapValueToKey("Label", ahead ? "AheadClasses" : perStep ? "Classes" : "Class",
                        keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                    .Append(ml.MulticlassClassification.Trainers.Rnn(options));
        }
    }
}
