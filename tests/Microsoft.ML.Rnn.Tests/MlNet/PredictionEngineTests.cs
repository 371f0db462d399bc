using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary><c>PredictionEngine</c> gives the same values as <c>Transform</c>, for every task.</summary>
[TestClass]
public sealed class PredictionEngineTests
{
    private sealed class Input
    {
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
    }

    private sealed class RegressionOutput
    {
        public float Score { get; set; }
    }

    private sealed class BinaryOutput
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class MulticlassOutput
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    private sealed class SequenceOutput
    {
        public float[] Score { get; set; } = [];
    }

    [TestMethod]
    public void RegressionMatchesTransform()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 10);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options()).Fit(data);
        float[] expected = model.Transform(data).GetColumn<float>("Score").ToArray();
        var engine = ml.Model.CreatePredictionEngine<Input, RegressionOutput>(model);
        float[][] features = data.GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < features.Length; i++)
            Assert.AreEqual(expected[i], engine.Predict(new Input { Features = features[i] }).Score);
    }

    [TestMethod]
    public void BinaryMatchesTransform()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne, rows: 10);
        ITransformer model = ml.BinaryClassification.Trainers.Rnn(TestData.Options()).Fit(data);
        IDataView scored = model.Transform(data);
        float[] score = scored.GetColumn<float>("Score").ToArray();
        float[] probability = scored.GetColumn<float>("Probability").ToArray();
        bool[] label = scored.GetColumn<bool>("PredictedLabel").ToArray();
        var engine = ml.Model.CreatePredictionEngine<Input, BinaryOutput>(model);
        float[][] features = data.GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < features.Length; i++)
        {
            BinaryOutput output = engine.Predict(new Input { Features = features[i] });
            Assert.AreEqual(score[i], output.Score);
            Assert.AreEqual(probability[i], output.Probability);
            Assert.AreEqual(label[i], output.PredictedLabel);
            Assert.AreEqual(1f / (1f + MathF.Exp(-output.Score)), output.Probability, 1e-6f);
            Assert.AreEqual(output.Score > 0, output.PredictedLabel);
        }
    }

    [TestMethod]
    public void MulticlassMatchesTransform()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne, rows: 10);
        ITransformer model = TestData.Pipeline(ml, RnnTask.MulticlassClassification, TestData.Options()).Fit(data);
        IDataView scored = model.Transform(data);
        float[][] score = scored.GetColumn<float[]>("Score").ToArray();
        uint[] label = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var rnnOnly = RoundTripTests.Find(model);
        var engine = ml.Model.CreatePredictionEngine<Input, MulticlassOutput>(rnnOnly);
        float[][] features = data.GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < features.Length; i++)
        {
            MulticlassOutput output = engine.Predict(new Input { Features = features[i] });
            CollectionAssert.AreEqual(score[i], output.Score);
            Assert.AreEqual(label[i], output.PredictedLabel);
            Assert.AreEqual(1f, output.Score.Sum(), 1e-5f);
            Assert.AreEqual((uint)(Array.IndexOf(output.Score, output.Score.Max()) + 1), output.PredictedLabel);
        }
    }

    [TestMethod]
    public void ManyToManyGivesOneScorePerStep()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToMany, rows: 10);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(head: RnnHead.ManyToMany)).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<Input, SequenceOutput>(model);
        float[] first = data.GetColumn<float[]>("Features").First();
        SequenceOutput output = engine.Predict(new Input { Features = first });
        Assert.HasCount(TestData.Steps, output.Score);
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<float[]>("Score").First(), output.Score);
    }
}
