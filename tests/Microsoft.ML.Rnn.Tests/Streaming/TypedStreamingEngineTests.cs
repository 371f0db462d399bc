using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.Streaming;

/// <summary><see cref="RnnStreamingEngine{TSrc, TDst}"/>: the typed wrapper gives the columns' values of the last step of
/// <c>Transform</c> on the whole series so far, for every task, and refuses classes that do not fit the model.</summary>
[TestClass]
public sealed class TypedStreamingEngineTests
{
    private const int Ticks = 25;

    private sealed class Step
    {
        [ColumnName("Features")] public float[] Values { get; set; } = [];
    }

    private sealed class SeriesRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class RegressionTick
    {
        public float Score { get; set; }
    }

    private sealed class BinaryTick
    {
#pragma warning disable CS0649 // a field on purpose (written by the engine through reflection)
        public float Score;
#pragma warning restore CS0649
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class MulticlassTick
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    private sealed class WrongTick
    {
        public bool Score { get; set; }
    }

    private static RnnTransformer Train(MLContext ml, RnnTask task)
    {
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, RnnHead.ManyToMany, epochs: 1);
        options.NumberOfLayers = 2;
        options.HiddenSize = 12;
        ITransformer model = TestData.Pipeline(ml, task, options).Fit(TestData.Data(ml, task, RnnHead.ManyToMany, rows: 16));
        return model as RnnTransformer ?? (RnnTransformer)((IEnumerable<ITransformer>)model).Last();
    }

    private static (IDataView Scored, float[] Series) Reference(MLContext ml, RnnTransformer transformer)
    {
        float[] series = TestData.Sequences(1, seed: 31, length: Ticks * TestData.InputSize)[0].Select(v => 2 * v).ToArray();
        IDataView prefixes = ml.Data.LoadFromEnumerable(
            Enumerable.Range(1, Ticks).Select(t => new SeriesRow { Features = series[..(t * TestData.InputSize)] }));
        return (transformer.Transform(prefixes), series);
    }

    [TestMethod]
    public void RegressionTicksMatchTransform()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.Regression);
        (IDataView scored, float[] series) = Reference(ml, transformer);
        float[] score = scored.GetColumn<float[]>("Score").Select(v => v[^1]).ToArray();
        RnnStreamingEngine<Step, RegressionTick> engine = transformer.CreateStreamingEngine<Step, RegressionTick>(ml);
        var tick = new RegressionTick();
        for (int t = 0; t < Ticks; t++)
        {
            engine.Predict(new Step { Values = series[(2 * t)..(2 * t + 2)] }, ref tick);
            Assert.AreEqual(BitConverter.SingleToInt32Bits(score[t]), BitConverter.SingleToInt32Bits(tick.Score), $"tick {t + 1}");
        }

        Assert.AreEqual(Ticks, engine.Engine.StepsSeen);
    }

    [TestMethod]
    public void BinaryTicksMatchTransform()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.BinaryClassification);
        (IDataView scored, float[] series) = Reference(ml, transformer);
        float[] score = scored.GetColumn<float[]>("Score").Select(v => v[^1]).ToArray();
        float[] probability = scored.GetColumn<float[]>("Probability").Select(v => v[^1]).ToArray();
        bool[] label = scored.GetColumn<bool[]>("PredictedLabel").Select(v => v[^1]).ToArray();
        RnnStreamingEngine<Step, BinaryTick> engine = transformer.CreateStreamingEngine<Step, BinaryTick>(ml);
        for (int t = 0; t < Ticks; t++)
        {
            BinaryTick tick = engine.Predict(new Step { Values = series[(2 * t)..(2 * t + 2)] });
            Assert.AreEqual(BitConverter.SingleToInt32Bits(score[t]), BitConverter.SingleToInt32Bits(tick.Score), $"tick {t + 1}");
            Assert.AreEqual(BitConverter.SingleToInt32Bits(probability[t]), BitConverter.SingleToInt32Bits(tick.Probability), $"tick {t + 1}");
            Assert.AreEqual(label[t], tick.PredictedLabel);
        }
    }

    [TestMethod]
    public void MulticlassTicksMatchTransform()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.MulticlassClassification);
        (IDataView scored, float[] series) = Reference(ml, transformer);
        float[][] score = scored.GetColumn<float[]>("Score").Select(v => v[^3..]).ToArray();
        uint[] label = scored.GetColumn<uint[]>("PredictedLabel").Select(v => v[^1]).ToArray();
        RnnStreamingEngine<Step, MulticlassTick> engine = transformer.CreateStreamingEngine<Step, MulticlassTick>(ml);
        var tick = new MulticlassTick();
        float[] reused = [];
        for (int t = 0; t < Ticks; t++)
        {
            engine.Predict(new Step { Values = series[(2 * t)..(2 * t + 2)] }, ref tick);
            CollectionAssert.AreEqual(score[t], tick.Score, $"tick {t + 1}");
            Assert.AreEqual(label[t], tick.PredictedLabel);
            if (t > 0)
                Assert.AreSame(reused, tick.Score, "the destination's array of the right length is reused");
            reused = tick.Score;
        }
    }

    [TestMethod]
    public void ClassesThatDoNotFitTheModelAreRefusedNamingTheMember()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.Regression);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => transformer.CreateStreamingEngine<RegressionTick, RegressionTick>(ml)).Message,
            "no public field or property for the model's feature column 'Features'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => transformer.CreateStreamingEngine<Step, WrongTick>(ml)).Message,
            "WrongTick.Score is Boolean");
        RnnStreamingEngine<Step, RegressionTick> engine = transformer.CreateStreamingEngine<Step, RegressionTick>(ml);
        Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(new Step { Values = [1f, 2f, 3f] }));
        Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(new Step { Values = [1f, float.NaN] }));
        Assert.AreEqual(0L, engine.Engine.StepsSeen);
        Assert.ThrowsExactly<NotSupportedException>(
            () => ((RnnTransformer)ml.Regression.Trainers.Rnn(TestData.Options()).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne)))
                .CreateStreamingEngine<Step, RegressionTick>(ml));
    }

    [TestMethod]
    [DoNotParallelize] // counts this thread's allocations
    public void ATickIntoAReusedDestinationAllocatesNothing()
    {
        var ml = new MLContext(1);
        RnnStreamingEngine<Step, MulticlassTick> engine = Train(ml, RnnTask.MulticlassClassification).CreateStreamingEngine<Step, MulticlassTick>(ml);
        var step = new Step { Values = [0.5f, -0.25f] };
        var tick = new MulticlassTick();
        for (int i = 0; i < 100; i++)
            engine.Predict(step, ref tick);
        long least = long.MaxValue;
        for (int window = 0; window < 5 && least > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
                engine.Predict(step, ref tick);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0L, least);
    }
}
