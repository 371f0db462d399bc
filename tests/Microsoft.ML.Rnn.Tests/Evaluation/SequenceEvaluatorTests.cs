using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.MlNet;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Rnn.Tests.Evaluation;

/// <summary>
/// EvaluateSequence against metrics computed here from their definitions on tiny data (variable lengths, NaN scores, missing
/// labels, several outputs per step), against ML.NET's own evaluators on N vs 1 outputs (one step), and on the RNN's N vs N
/// output columns.
/// </summary>
[TestClass]
public sealed class SequenceEvaluatorTests
{
    private sealed class RegressionRow
    {
        public float[] Label { get; set; } = [];
        public float[] Score { get; set; } = [];
    }

    private sealed class BinaryRow
    {
        public bool[] Label { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] Probability { get; set; } = [];
    }

    private sealed class ClassRow
    {
        public string[] Label { get; set; } = [];
        public float[] Score { get; set; } = [];
    }

    private static (double Mae, double Mse, double R2) Regression((double Label, double Score)[] pairs)
    {
        double mean = pairs.Average(p => p.Label);
        double sse = pairs.Sum(p => (p.Score - p.Label) * (p.Score - p.Label));
        double sst = pairs.Sum(p => (p.Label - mean) * (p.Label - mean));
        return (pairs.Average(p => Math.Abs(p.Score - p.Label)), sse / pairs.Length, 1 - sse / sst);
    }

    private static void AssertRegression((double Label, double Score)[] pairs, long count, double mae, double mse, double rmse, double r2, string what)
    {
        var expected = Regression(pairs);
        Assert.AreEqual(pairs.Length, count, what);
        Assert.AreEqual(expected.Mae, mae, 1e-12, what);
        Assert.AreEqual(expected.Mse, mse, 1e-12, what);
        Assert.AreEqual(Math.Sqrt(expected.Mse), rmse, 1e-12, what);
        Assert.AreEqual(expected.R2, r2, 1e-12, what);
    }

    [TestMethod]
    public void RegressionMetricsPerStepAndOverallAreTheDefinitions()
    {
        var ml = new MLContext(1);
        // Two outputs per step; rows of 2, 1 and 3 steps; one NaN score and one NaN label.
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new RegressionRow { Label = [1, 2, 3, 4], Score = [1.5f, 2, 2, float.NaN] },
            new RegressionRow { Label = [0, float.NaN], Score = [1, 5] },
            new RegressionRow { Label = [2, 2, 6, 1, 7, 5], Score = [2, 3, 5, 1, 7, 8] },
        });

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data, outputsPerStep: 2);

        (double, double)[] step0 = [(1, 1.5), (2, 2), (0, 1), (2, 2), (2, 3)];
        (double, double)[] step1 = [(3, 2), (6, 5), (1, 1)];
        (double, double)[] step2 = [(7, 7), (5, 8)];
        Assert.HasCount(3, metrics.PerStep);
        for (int step = 0; step < 3; step++)
        {
            var m = metrics.PerStep[step];
            Assert.AreEqual(step, m.Step);
            AssertRegression(new[] { step0, step1, step2 }[step], m.Count, m.MeanAbsoluteError, m.MeanSquaredError, m.RootMeanSquaredError, m.RSquared, $"step {step}");
        }

        AssertRegression([.. step0, .. step1, .. step2], metrics.Count, metrics.MeanAbsoluteError, metrics.MeanSquaredError,
            metrics.RootMeanSquaredError, metrics.RSquared, "overall");
        Assert.AreEqual(1L, metrics.NaNScoreCount);
        Assert.AreEqual(1L, metrics.MissingLabelCount);
    }

    [TestMethod]
    public void RegressionStepWithConstantLabelsHasNoRSquared()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new RegressionRow { Label = [1, 5], Score = [1, 4] },
            new RegressionRow { Label = [1, 2], Score = [2, 2] },
        });

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data);

        Assert.IsTrue(double.IsNaN(metrics.PerStep[0].RSquared), "labels 1 and 1 do not vary");
        Assert.AreEqual(0.5, metrics.PerStep[0].MeanAbsoluteError, 1e-12);
        Assert.AreEqual(1 - 1.0 / 4.5, metrics.PerStep[1].RSquared, 1e-12);
    }

    [TestMethod]
    public void BinaryMetricsPerStepAndOverallAreTheDefinitions()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new BinaryRow { Label = [true, false, true], Score = [2, 1, -1], Probability = [0.8f, 0.6f, 0.3f] },
            new BinaryRow { Label = [false], Score = [-3], Probability = [0.1f] },
            new BinaryRow { Label = [true, true], Score = [float.NaN, 0.5f], Probability = [float.NaN, 0.9f] },
        });

        SequenceClassificationMetrics metrics = ml.BinaryClassification.EvaluateSequence(data);

        // (label, score > 0, probability) by step; the NaN step of row 2 is left out.
        static double Loss(bool label, float p) => label ? -Math.Log2(p) : -Math.Log2(1 - (double)p);
        (bool Label, bool Predicted, float P)[][] steps =
        [
            [(true, true, 0.8f), (false, false, 0.1f)],
            [(false, true, 0.6f), (true, true, 0.9f)],
            [(true, false, 0.3f)],
        ];
        Assert.HasCount(3, metrics.PerStep);
        for (int step = 0; step < 3; step++)
        {
            var expected = steps[step];
            Assert.AreEqual(expected.Length, metrics.PerStep[step].Count);
            Assert.AreEqual(expected.Count(e => e.Label == e.Predicted) / (double)expected.Length, metrics.PerStep[step].Accuracy, 1e-12);
            Assert.AreEqual(expected.Average(e => Loss(e.Label, e.P)), metrics.PerStep[step].LogLoss, 1e-6);
        }

        var all = steps.SelectMany(s => s).ToArray();
        Assert.AreEqual(5L, metrics.Count);
        Assert.AreEqual(3.0 / 5, metrics.Accuracy, 1e-12);
        Assert.AreEqual(all.Average(e => Loss(e.Label, e.P)), metrics.LogLoss, 1e-6);
        Assert.AreEqual(1L, metrics.NaNScoreCount);
        Assert.AreEqual(0L, metrics.MissingLabelCount);
    }

    [TestMethod]
    public void MulticlassMetricsPerStepAndOverallAreTheDefinitions()
    {
        var ml = new MLContext(1);
        // Keys by value: a = 1, b = 2, c = 3; scores are steps × 3 probabilities, time-major.
        IDataView raw = ml.Data.LoadFromEnumerable(new[]
        {
            new ClassRow { Label = ["a", "c"], Score = [0.7f, 0.2f, 0.1f, 0.5f, 0.1f, 0.4f] },
            new ClassRow { Label = ["b"], Score = [0.3f, 0.6f, 0.1f] },
            new ClassRow { Label = ["c", "b", "a"], Score = [0.2f, 0.2f, 0.6f, float.NaN, float.NaN, float.NaN, 0.25f, 0.5f, 0.25f] },
        });
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(raw).Transform(raw);

        SequenceClassificationMetrics metrics = ml.MulticlassClassification.EvaluateSequence(data);

        // (right?, probability of the true class) by step.
        (bool Right, double P)[][] steps =
        [
            [(true, 0.7), (true, 0.6), (true, 0.6)],
            [(false, 0.4)],
            [(false, 0.25)],
        ];
        Assert.HasCount(3, metrics.PerStep);
        for (int step = 0; step < 3; step++)
        {
            var expected = steps[step];
            Assert.AreEqual(expected.Length, metrics.PerStep[step].Count);
            Assert.AreEqual(expected.Count(e => e.Right) / (double)expected.Length, metrics.PerStep[step].Accuracy, 1e-12);
            Assert.AreEqual(expected.Average(e => -Math.Log(e.P)), metrics.PerStep[step].LogLoss, 1e-6);
        }

        var all = steps.SelectMany(s => s).ToArray();
        Assert.AreEqual(3.0 / 5, metrics.Accuracy, 1e-12);
        Assert.AreEqual(all.Average(e => -Math.Log(e.P)), metrics.LogLoss, 1e-6);
        Assert.AreEqual(1L, metrics.NaNScoreCount);
    }

    [TestMethod]
    public void OneStepOutputsGiveWhatMlNetsEvaluatorsGive()
    {
        var ml = new MLContext(1);
        foreach (RnnTask task in new[] { RnnTask.Regression, RnnTask.BinaryClassification, RnnTask.MulticlassClassification })
        {
            IDataView data = TestData.Data(ml, task, RnnHead.ManyToOne, rows: 40);
            IDataView scored = TestData.Pipeline(ml, task, TestData.Options(epochs: 3)).Fit(data).Transform(data);
            switch (task)
            {
                case RnnTask.Regression:
                    RegressionMetrics reference = ml.Regression.Evaluate(scored);
                    SequenceRegressionMetrics regression = ml.Regression.EvaluateSequence(scored);
                    Assert.HasCount(1, regression.PerStep);
                    Assert.AreEqual(40L, regression.Count);
                    Assert.AreEqual(reference.RootMeanSquaredError, regression.RootMeanSquaredError, 1e-9);
                    Assert.AreEqual(reference.MeanAbsoluteError, regression.MeanAbsoluteError, 1e-9);
                    // ML.NET takes the label variance as a difference of sums, so its R² differs in the eighth digit.
                    Assert.AreEqual(reference.RSquared, regression.RSquared, 1e-7);
                    Assert.AreEqual(regression.RSquared, regression.PerStep[0].RSquared, 0.0);
                    break;
                case RnnTask.BinaryClassification:
                    CalibratedBinaryClassificationMetrics binaryReference = ml.BinaryClassification.Evaluate(scored);
                    SequenceClassificationMetrics binary = ml.BinaryClassification.EvaluateSequence(scored);
                    Assert.HasCount(1, binary.PerStep);
                    Assert.AreEqual(binaryReference.Accuracy, binary.Accuracy, 1e-9);
                    Assert.AreEqual(binaryReference.LogLoss, binary.LogLoss, 1e-9);
                    break;
                default:
                    MulticlassClassificationMetrics classReference = ml.MulticlassClassification.Evaluate(scored);
                    SequenceClassificationMetrics multiclass = ml.MulticlassClassification.EvaluateSequence(scored);
                    Assert.HasCount(1, multiclass.PerStep);
                    Assert.AreEqual(classReference.MicroAccuracy, multiclass.Accuracy, 1e-9);
                    Assert.AreEqual(classReference.LogLoss, multiclass.LogLoss, 1e-9);
                    break;
            }
        }
    }

    [TestMethod]
    public void ManyToManyClassifierAccuracyPerStepIsItsPredictedLabels()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToMany, rows: 30);
        IDataView scored = TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options(head: RnnHead.ManyToMany, epochs: 3))
            .Fit(data).Transform(data);

        SequenceClassificationMetrics metrics = ml.MulticlassClassification.EvaluateSequence(scored);

        // One cursor for both: the RNN's scorer reads the features even when none of its outputs is asked for, so the label
        // cannot be read alone from the scored view.
        var labels = new List<uint[]>();
        var predicted = new List<uint[]>();
        using (var cursor = scored.GetRowCursor([scored.Schema["Label"], scored.Schema["PredictedLabel"]]))
        {
            var getLabel = cursor.GetGetter<VBuffer<uint>>(scored.Schema["Label"]);
            var getPredicted = cursor.GetGetter<VBuffer<uint>>(scored.Schema["PredictedLabel"]);
            VBuffer<uint> label = default, prediction = default;
            while (cursor.MoveNext())
            {
                getLabel(ref label);
                getPredicted(ref prediction);
                labels.Add(label.DenseValues().ToArray());
                predicted.Add(prediction.DenseValues().ToArray());
            }
        }

        Assert.HasCount(TestData.Steps, metrics.PerStep);
        for (int step = 0; step < TestData.Steps; step++)
        {
            double expected = labels.Zip(predicted).Count(r => r.First[step] == r.Second[step]) / 30.0;
            Assert.AreEqual(30L, metrics.PerStep[step].Count);
            Assert.AreEqual(expected, metrics.PerStep[step].Accuracy, 1e-12, $"step {step}");
        }
    }

    [TestMethod]
    public void InconsistentRowsAndColumnsAreRefused()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(new[]
        {
            new RegressionRow { Label = [1, 2], Score = [1, 2] },
            new RegressionRow { Label = [1, 2], Score = [1] },
        });

        var rowError = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.EvaluateSequence(data));
        StringAssert.Contains(rowError.Message, "Row 1: label column 'Label' holds 2 values and score column 'Score' holds 1");
        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.EvaluateSequence(ml.Data.TakeRows(data, 1), outputsPerStep: 3));
        Assert.AreEqual("outputsPerStep", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateSequence(data, outputsPerStep: 0)).ParamName);
        Assert.AreEqual("scoreColumnName", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateSequence(data, scoreColumnName: "Nope")).ParamName);
        var typeError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.EvaluateSequence(data));
        StringAssert.Contains(typeError.Message, "expected a UInt32 key");
    }
}
