namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>ML.NET's own evaluators work unchanged on N vs 1 outputs, and the models learn the simple targets.</summary>
[TestClass]
public sealed class EvaluatorTests
{
    [TestMethod]
    public void RegressionEvaluatorWorks()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 64);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 60);
        options.HiddenSize = 8;
        options.LearningRate = 0.02f;
        var metrics = ml.Regression.Evaluate(ml.Regression.Trainers.Rnn(options).Fit(data).Transform(data));
        Assert.IsTrue(double.IsFinite(metrics.MeanSquaredError));
        Assert.IsGreaterThan(0.8, metrics.RSquared, $"R² {metrics.RSquared}");
    }

    [TestMethod]
    public void BinaryEvaluatorWorks()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne, rows: 64);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 40);
        options.LearningRate = 0.03f;
        var metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Rnn(options).Fit(data).Transform(data));
        Assert.IsGreaterThan(0.85, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.IsTrue(double.IsFinite(metrics.LogLoss));
        var uncalibrated = ml.BinaryClassification.EvaluateNonCalibrated(ml.BinaryClassification.Trainers.Rnn(options).Fit(data).Transform(data));
        Assert.IsGreaterThan(0.85, uncalibrated.AreaUnderRocCurve);
    }

    [TestMethod]
    public void MulticlassEvaluatorWorks()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne, rows: 64);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Rnn, epochs: 40);
        options.LearningRate = 0.03f;
        ITransformer model = TestData.Pipeline(ml, RnnTask.MulticlassClassification, options).Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.IsGreaterThan(0.6, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy}");
        Assert.IsTrue(double.IsFinite(metrics.LogLoss));
        Assert.HasCount(3, metrics.PerClassLogLoss);
    }
}
