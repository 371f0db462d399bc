using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Rnn;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(RnnTransformer), null, typeof(SignatureLoadModel),
    RnnTransformer.UserName, RnnModelFormat.LoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(RnnTransformer), null, typeof(SignatureLoadRowMapper),
    RnnTransformer.UserName, RnnModelFormat.LoaderSignature)]

namespace Microsoft.ML.Rnn;

/// <summary>
/// A trained recurrent network that scores sequence columns: adds <c>Score</c> for regression; <c>Score</c> (logit),
/// <c>Probability</c> and <c>PredictedLabel</c> for binary classification; <c>Score</c> (class probabilities) and
/// <c>PredictedLabel</c> (key) for multiclass. Made by <see cref="RnnTrainer"/>; saved and loaded with
/// <c>mlContext.Model.Save</c>/<c>Load</c> (format: docs/model-format.md).
/// </summary>
/// <remarks>
/// Scoring is stateless (each row's sequence starts from a zero state) and thread-safe: one transformer may serve many
/// cursors and prediction engines at once. A row with zero steps or a variable-length vector whose length is not a
/// multiple of the input size scores NaN (<c>PredictedLabel</c> false, or the missing key 0).
/// </remarks>
public sealed partial class RnnTransformer : RowToRowTransformerBase, ITransformer
{
    internal const string UserName = "RNN Transformer";

    private readonly RnnModelData _model;

    internal RnnTransformer(IHostEnvironment env, RnnModelData model)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(RnnTransformer)))
    {
        _model = model;
    }

    /// <summary>The trained network; <c>Network.ExportParameters()</c> gives its weights by PyTorch <c>state_dict</c> name.
    /// When training standardised the label (<see cref="RnnTrainer.Options.StandardizeLabel"/>), the network predicts the
    /// standardised label and <c>Score</c> is its output mapped back to the label's units.</summary>
    public RnnNetwork Network => _model.Network;

    /// <summary>Train loss, validation loss and seconds of every epoch that ran.</summary>
    public IReadOnlyList<RnnEpochReport> TrainingHistory => _model.History;

    /// <summary>
    /// A copy of the options the model was trained with. <see cref="RnnTrainer.Options.Seed"/> holds the seed actually
    /// used and <see cref="RnnTrainer.Options.InputSize"/> the features per step; the validation set, initial
    /// parameters and callback are not kept.
    /// </summary>
    public RnnTrainer.Options Options => _model.Options.Clone();

    /// <summary>
    /// For a model trained with a <see cref="RnnTrainer.Options.Distribution"/> and calibrated on its validation set
    /// (<see cref="RnnTrainer.Options.CalibrateIntervals"/>): the split-conformal factor that multiplies the predicted
    /// distribution's scale, so <c>StandardDeviation</c>, <c>LowerBound</c> and <c>UpperBound</c> include it (above 1 widens
    /// intervals that were too narrow on the validation rows). Null when the intervals are not calibrated. Saved in the model.
    /// </summary>
    public float? IntervalCalibrationFactor => _model.IntervalCalibrationFactor;

    internal RnnModelData Model => _model;

    // Factory for SignatureLoadModel: ML.NET finds it through the LoadableClass attribute above.
    private static RnnTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return new RnnTransformer(env, RnnModelFormat.Load(ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <summary>Writes the model (ML.NET calls this through <c>ICanSaveModel</c>).</summary>
    protected override void SaveModel(ModelSaveContext ctx) => RnnModelFormat.Save(ctx, _model);

    /// <summary>
    /// Scores <paramref name="input"/>. A cursor over the result reads ahead and scores blocks of consecutive rows (up to
    /// 256, a few MB of activations) on all cores, each row bit for bit as a prediction engine scores it alone; a
    /// shuffled cursor scores row by row. Re-implements <see cref="ITransformer.Transform"/> so that pipelines
    /// (<c>TransformerChain</c>) score in blocks too.
    /// </summary>
    /// <param name="input">Data with the model's feature columns.</param>
    /// <returns>The input's columns and the model's output columns.</returns>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        var rowByRow = (ITransformCanSaveOnnx)base.Transform(input);
        return new BatchedTransform(rowByRow, new Mapper(this, input.Schema));
    }

    /// <summary>Binds the model to an input schema (ML.NET calls this for <c>Transform</c> and prediction engines).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);
}
