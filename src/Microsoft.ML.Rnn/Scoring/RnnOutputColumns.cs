using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The columns a trained RNN adds, following ML.NET's scorers so the standard evaluators work unchanged:
/// regression <c>Score</c>; binary <c>Score</c> (logit), <c>Probability</c> (sigmoid), <c>PredictedLabel</c>;
/// multiclass <c>Score</c> (softmax probabilities) and <c>PredictedLabel</c> (key). A head with a step axis (N vs N)
/// gives a vector of each, one item (or <c>outputs</c> items) per output step. Both the estimator's shapes and the transformer's columns come
/// from here so the two agree.
/// </summary>
internal static class RnnOutputColumns
{
    /// <summary>The score column.</summary>
    public const string Score = "Score";

    /// <summary>The probability column (binary).</summary>
    public const string Probability = "Probability";

    /// <summary>The predicted label column (classification).</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>A distribution model's standard deviation per output (regression with <see cref="RnnDistribution"/>).</summary>
    public const string StandardDeviation = "StandardDeviation";

    /// <summary>The lower end of a distribution model's central interval (the SSA forecaster's column name).</summary>
    public const string LowerBound = "LowerBound";

    /// <summary>The upper end of a distribution model's central interval (the SSA forecaster's column name).</summary>
    public const string UpperBound = "UpperBound";

    /// <summary>The columns a distribution model adds after <see cref="Score"/>, each of <see cref="Score"/>'s type.</summary>
    public static readonly string[] IntervalColumns = [StandardDeviation, LowerBound, UpperBound];

    /// <summary>Output column shapes for the estimator.</summary>
    /// <param name="task">The task.</param>
    /// <param name="head">How the head's outputs line up with the steps.</param>
    /// <param name="scalarScore">Regression N vs 1 with a scalar label: <c>Score</c> is a <see cref="float"/>.</param>
    /// <param name="fixedLength">Whether the features have a known size (outputs that follow the steps then do too).</param>
    /// <param name="keyValuesItemType">The label's key value item type (multiclass), or null.</param>
    /// <param name="distribution">A regression model's distribution: anything but None adds the interval columns.</param>
    public static SchemaShape.Column[] GetShapes(RnnTask task, HeadStructure head, bool scalarScore, bool fixedLength, DataViewType? keyValuesItemType,
        RnnDistribution distribution = RnnDistribution.None)
    {
        bool perStep = head.HasStepAxis;
        var stepKind = perStep
            ? (fixedLength || head.OutputSteps(null) is not null ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector)
            : SchemaShape.Column.VectorKind.Scalar;
        string scoreKind = ScoreColumnKind(task);
        var shapes = new List<SchemaShape.Column>();
        switch (task)
        {
            case RnnTask.Regression:
                var regressionKind = perStep ? stepKind : scalarScore ? SchemaShape.Column.VectorKind.Scalar : SchemaShape.Column.VectorKind.Vector;
                shapes.Add(new(Score, regressionKind, NumberDataViewType.Single, false, AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score)));
                if (distribution != RnnDistribution.None)
                    foreach (string name in IntervalColumns)
                        shapes.Add(new(name, regressionKind, NumberDataViewType.Single, false, AnnotationShape(scoreKind, name)));
                break;
            case RnnTask.BinaryClassification:
                shapes.Add(new(Score, stepKind, NumberDataViewType.Single, false, AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score)));
                shapes.Add(new(Probability, stepKind, NumberDataViewType.Single, false,
                    AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.Probability, isNormalized: true)));
                shapes.Add(new(PredictedLabel, stepKind, BooleanDataViewType.Instance, false,
                    AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel)));
                break;
            case RnnTask.MulticlassClassification:
                bool slotNames = !perStep && keyValuesItemType is TextDataViewType;
                shapes.Add(new(Score, perStep ? stepKind : SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                    AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score, slotNames: slotNames)));
                shapes.Add(new(PredictedLabel, stepKind, NumberDataViewType.UInt32, true,
                    AnnotationShape(scoreKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel,
                        keyValuesItemType: RnnKeyValues.KindOf(keyValuesItemType) is null ? null : keyValuesItemType)));
                break;
        }

        return shapes.ToArray();
    }

    /// <summary>Output columns for the transformer.</summary>
    /// <param name="task">The task.</param>
    /// <param name="head">How the head's outputs line up with the steps.</param>
    /// <param name="outputSize">Outputs per step (per sequence for N vs 1).</param>
    /// <param name="scalarScore">Regression N vs 1 with a scalar label.</param>
    /// <param name="inputSteps">Steps of every input sequence, or null for variable length.</param>
    /// <param name="keyValues">The label's key values (multiclass), or null.</param>
    /// <param name="distribution">A regression model's distribution: anything but None adds the interval columns.</param>
    public static DataViewSchema.DetachedColumn[] GetColumns(RnnTask task, HeadStructure head, int outputSize, bool scalarScore, int? inputSteps, RnnKeyValues? keyValues,
        RnnDistribution distribution = RnnDistribution.None)
    {
        bool perStep = head.HasStepAxis;
        int? steps = head.OutputSteps(inputSteps);
        string scoreKind = ScoreColumnKind(task);
        DataViewType StepType(PrimitiveDataViewType item) => perStep ? new VectorDataViewType(item, steps ?? 0) : item;
        var columns = new List<DataViewSchema.DetachedColumn>();
        switch (task)
        {
            case RnnTask.Regression:
                DataViewType scoreType = perStep ? new VectorDataViewType(NumberDataViewType.Single, steps is int s ? s * outputSize : 0)
                    : scalarScore ? NumberDataViewType.Single
                    : new VectorDataViewType(NumberDataViewType.Single, outputSize);
                columns.Add(new(Score, scoreType, Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score)));
                // As the SSA forecaster's LowerBound/UpperBound beside its forecast: the same shape as the score; each marked as a
                // regression score column whose value kind is its own name, so tools that look for "the" score still find Score.
                if (distribution != RnnDistribution.None)
                    foreach (string name in IntervalColumns)
                        columns.Add(new(name, scoreType, Annotations(scoreKind, name)));
                break;
            case RnnTask.BinaryClassification:
                columns.Add(new(Score, StepType(NumberDataViewType.Single), Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score)));
                columns.Add(new(Probability, StepType(NumberDataViewType.Single),
                    Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.Probability, isNormalized: true)));
                columns.Add(new(PredictedLabel, StepType(BooleanDataViewType.Instance),
                    Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel)));
                break;
            case RnnTask.MulticlassClassification:
                var scoreVector = new VectorDataViewType(NumberDataViewType.Single, perStep ? (steps is int n ? n * outputSize : 0) : outputSize);
                RnnKeyValues? slotNames = !perStep && keyValues?.Kind == RnnKeyValueKind.Text ? keyValues : null;
                columns.Add(new(Score, scoreVector, Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.Score, slotNames: slotNames)));
                var key = new KeyDataViewType(typeof(uint), outputSize);
                columns.Add(new(PredictedLabel, perStep ? new VectorDataViewType(key, steps ?? 0) : key,
                    Annotations(scoreKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel, keyValues: keyValues)));
                break;
        }

        return columns.ToArray();
    }

    private static string ScoreColumnKind(RnnTask task) => task switch
    {
        RnnTask.Regression => AnnotationUtils.Const.ScoreColumnKind.Regression,
        RnnTask.BinaryClassification => AnnotationUtils.Const.ScoreColumnKind.BinaryClassification,
        _ => AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification,
    };

    private static DataViewSchema.Annotations Annotations(string scoreKind, string valueKind, bool isNormalized = false,
        RnnKeyValues? slotNames = null, RnnKeyValues? keyValues = null)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = scoreKind.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
        if (isNormalized)
            builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool value) => value = true);
        slotNames?.AddTo(builder, AnnotationUtils.Kinds.SlotNames);
        keyValues?.AddTo(builder, AnnotationUtils.Kinds.KeyValues);
        return builder.ToAnnotations();
    }

    private static SchemaShape AnnotationShape(string scoreKind, string valueKind, bool isNormalized = false, bool slotNames = false,
        DataViewType? keyValuesItemType = null)
    {
        var columns = new List<SchemaShape.Column>
        {
            new(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            new(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        };
        if (isNormalized)
            columns.Add(new(AnnotationUtils.Kinds.IsNormalized, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false));
        if (slotNames)
            columns.Add(new(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
        if (keyValuesItemType is not null)
            columns.Add(new(AnnotationUtils.Kinds.KeyValues, SchemaShape.Column.VectorKind.Vector, keyValuesItemType, false));
        return new SchemaShape(columns);
    }
}
