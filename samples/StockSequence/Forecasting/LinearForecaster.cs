using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace StockSequence.Forecasting;

/// <summary>
/// A linear model of the whole window, trained by ML.NET's SDCA regression trainer (in Microsoft.ML itself; the OLS trainer
/// needs Microsoft.ML.Mkl.Components, which is not used here). Features are standardised first; one thread keeps it
/// reproducible under the context's seed.
/// </summary>
/// <param name="mlContext">The context (its seed fixes the result).</param>
public sealed class LinearForecaster(MLContext mlContext) : IForecaster
{
    private ITransformer? _model;

    /// <inheritdoc/>
    public string Name => "Linear (SDCA)";

    /// <inheritdoc/>
    public void Fit(IDataView trainingWindows)
    {
        var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfThreads = 1,
            }));
        _model = pipeline.Fit(trainingWindows);
    }

    /// <inheritdoc/>
    public float[] Predict(IDataView windows)
    {
        if (_model is null)
        {
            throw new InvalidOperationException("Fit the linear model before predicting.");
        }

        return _model.Transform(windows).GetColumn<float>("Score").ToArray();
    }
}
