using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.Streaming;

/// <summary>
/// <see cref="RnnStreamingEngine"/> against the reference the issue names: the transformer's own <c>Transform</c> of
/// the whole series so far, its last step, bit for bit, for every cell, one and two layers, and every task.
/// </summary>
[TestClass]
public sealed class StreamingEngineTests
{
    private const int SeriesSteps = 30;

    private sealed class SeriesRow
    {
        public float[] Features { get; set; } = [];
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (RnnCellType cell in new[] { RnnCellType.Rnn, RnnCellType.Lstm, RnnCellType.Gru })
            foreach (RnnTask task in new[] { RnnTask.Regression, RnnTask.BinaryClassification, RnnTask.MulticlassClassification })
                foreach (int layers in new[] { 1, 2 })
                    yield return [cell, task, layers];
    }

    private static RnnTransformer Train(MLContext ml, RnnTask task, RnnCellType cell = RnnCellType.Lstm, int layers = 1, int hidden = 12,
        Action<RnnTrainer.Options>? configure = null, RnnHead head = RnnHead.ManyToMany)
    {
        RnnTrainer.Options options = TestData.Options(cell, head, epochs: 1);
        options.NumberOfLayers = layers;
        options.HiddenSize = hidden;
        configure?.Invoke(options);
        ITransformer model = TestData.Pipeline(ml, task, options).Fit(TestData.Data(ml, task, head, rows: 16));
        return model as RnnTransformer ?? (RnnTransformer)((IEnumerable<ITransformer>)model).Last();
    }

    /// <summary>The <c>Score</c> (and, binary, <c>Probability</c>) of every prefix of <paramref name="series"/>, each a row of its own: values of its last step.</summary>
    private static (float[][] Score, float[][] Probability) Reference(MLContext ml, RnnTransformer transformer, float[] series, int outputs)
    {
        int steps = series.Length / TestData.InputSize;
        IDataView prefixes = ml.Data.LoadFromEnumerable(
            Enumerable.Range(1, steps).Select(t => new SeriesRow { Features = series[..(t * TestData.InputSize)] }));
        IDataView scored = transformer.Transform(prefixes);
        float[][] Last(string column) => scored.GetColumn<float[]>(column).Select(v => v[^outputs..]).ToArray();
        return (Last("Score"), scored.Schema.GetColumnOrNull("Probability") is null ? [] : Last("Probability"));
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EveryTickMatchesTransformOfTheWholeSeriesSoFar(RnnCellType cell, RnnTask task, int layers)
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, task, cell, layers);
        RnnStreamingEngine engine = transformer.CreateStreamingEngine();
        float[] series = TestData.Sequences(1, seed: 11, length: SeriesSteps * TestData.InputSize)[0].Select(v => 2 * v).ToArray();
        (float[][] score, float[][] probability) = Reference(ml, transformer, series, engine.OutputSize);
        Assert.AreEqual(task == RnnTask.MulticlassClassification ? 3 : 1, engine.OutputSize);
        for (int t = 0; t < SeriesSteps; t++)
        {
            ReadOnlySpan<float> step = series.AsSpan(t * TestData.InputSize, TestData.InputSize);
            if (task == RnnTask.BinaryClassification)
            {
                float[] s = new float[1], p = new float[1];
                engine.Predict(step, s, p);
                CollectionAssert.AreEqual(score[t], s, $"tick {t + 1}");
                CollectionAssert.AreEqual(probability[t], p, $"probability at tick {t + 1}");
            }
            else
            {
                CollectionAssert.AreEqual(score[t], engine.Predict(step), $"tick {t + 1}");
                Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict([0f, 0f], new float[engine.OutputSize], new float[engine.OutputSize]));
            }
        }

        Assert.AreEqual(SeriesSteps, engine.StepsSeen);
    }

    [TestMethod]
    public void RegressionScoresAreInLabelUnitsWithOrWithoutStandardization()
    {
        var ml = new MLContext(1);
        float[] series = TestData.Sequences(1, seed: 12, length: SeriesSteps * TestData.InputSize)[0];
        foreach (bool standardize in new[] { true, false })
        {
            RnnTransformer transformer = Train(ml, RnnTask.Regression, configure: o => o.StandardizeLabel = standardize);
            Assert.AreEqual(standardize, transformer.Model.LabelStandardization is not null);
            RnnStreamingEngine engine = transformer.CreateStreamingEngine();
            float[][] score = Reference(ml, transformer, series, 1).Score;
            int differences = 0;
            for (int t = 0; t < SeriesSteps; t++)
            {
                float[] streamed = engine.Predict(series.AsSpan(t * TestData.InputSize, TestData.InputSize));
                CollectionAssert.AreEqual(score[t], streamed);
                // The network's raw output: the standardised label, which the engine maps back as the column does.
                var raw = new float[t + 1];
                transformer.Network.Predict(series.AsSpan(0, (t + 1) * TestData.InputSize), raw);
                differences += raw[^1] == streamed[0] ? 0 : 1;
            }

            Assert.AreEqual(standardize ? SeriesSteps : 0, differences);
        }
    }

    [TestMethod]
    public void WideLayersWithAWarmUpMatchToo()
    {
        // Hidden 40 over two layers: planned by shape, the second layer's input projection (40 → 160 gates) would change
        // GEMM algorithm at three steps; scoring plans it row-invariantly, so the engine steps from the first tick.
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.Regression, RnnCellType.Gru, layers: 2, hidden: 40);
        RnnStreamingEngine engine = transformer.CreateStreamingEngine();
        Assert.AreEqual(1, engine.WarmUpSteps);
        float[] series = TestData.Sequences(1, seed: 13, length: SeriesSteps * TestData.InputSize)[0];
        float[][] score = Reference(ml, transformer, series, 1).Score;
        for (int t = 0; t < SeriesSteps; t++)
            CollectionAssert.AreEqual(score[t], engine.Predict(series.AsSpan(t * TestData.InputSize, TestData.InputSize)), $"tick {t + 1}");
    }

    [TestMethod]
    public void ResetStartsANewSeries()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.Regression);
        RnnStreamingEngine engine = transformer.CreateStreamingEngine();
        float[] series = TestData.Sequences(1, seed: 14, length: 20 * TestData.InputSize)[0];
        float[] first = Enumerable.Range(0, 20).Select(t => engine.Predict(series.AsSpan(2 * t, 2))[0]).ToArray();
        engine.Reset();
        Assert.AreEqual(0L, engine.StepsSeen);
        float[] second = Enumerable.Range(0, 20).Select(t => engine.Predict(series.AsSpan(2 * t, 2))[0]).ToArray();
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void BadStepsAreRefusedAndNothingIsLost()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.Regression);
        RnnStreamingEngine engine = transformer.CreateStreamingEngine(), clean = transformer.CreateStreamingEngine();
        float[] series = TestData.Sequences(1, seed: 15, length: 20 * TestData.InputSize)[0];
        for (int t = 0; t < 20; t++)
        {
            if (t == 3 || t == 12)
            {
                StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([1f, 2f, 3f])).Message, "takes 2 per step");
                StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([float.NaN, 0f])).Message, "must be finite");
                StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([0f, float.NegativeInfinity])).Message, "state is as it was");
                StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([0f, 0f], new float[2])).Message, "gives 1 per step");
            }

            CollectionAssert.AreEqual(clean.Predict(series.AsSpan(2 * t, 2)), engine.Predict(series.AsSpan(2 * t, 2)));
            Assert.AreEqual(clean.StepsSeen, engine.StepsSeen);
        }
    }

    [TestMethod]
    public void ModelsThatCannotStreamAreRefusedSayingWhyAndWhatWorks()
    {
        var ml = new MLContext(1);
        string manyToOne = Assert.ThrowsExactly<NotSupportedException>(
            () => Train(ml, RnnTask.Regression, head: RnnHead.ManyToOne).CreateStreamingEngine()).Message;
        StringAssert.Contains(manyToOne, "N vs 1");
        StringAssert.Contains(manyToOne, "Head = RnnHead.ManyToMany");
        string bidirectional = Assert.ThrowsExactly<NotSupportedException>(
            () => Train(ml, RnnTask.Regression, configure: o => o.Bidirectional = true).CreateStreamingEngine()).Message;
        StringAssert.Contains(bidirectional, "bidirectional");
        StringAssert.Contains(bidirectional, "Bidirectional = false");
        string distribution = Assert.ThrowsExactly<NotSupportedException>(
            () => Train(ml, RnnTask.Regression, configure: o => o.Distribution = RnnDistribution.Normal).CreateStreamingEngine()).Message;
        StringAssert.Contains(distribution, "Distribution = RnnDistribution.None");
        foreach (RnnHead head in new[] { RnnHead.OneToMany, RnnHead.EncoderDecoder })
        {
            string decoder = Assert.ThrowsExactly<NotSupportedException>(() => Train(ml, RnnTask.Regression, head: head).CreateStreamingEngine()).Message;
            StringAssert.Contains(decoder, head.ToString());
            StringAssert.Contains(decoder, "not one output per input step");
        }
    }

    [TestMethod]
    [DoNotParallelize] // counts this thread's allocations
    public void ATickAllocatesNothing()
    {
        var ml = new MLContext(1);
        foreach (RnnTask task in new[] { RnnTask.Regression, RnnTask.BinaryClassification, RnnTask.MulticlassClassification })
        {
            RnnStreamingEngine engine = Train(ml, task, RnnCellType.Lstm, layers: 2, hidden: 16).CreateStreamingEngine();
            float[] series = TestData.Sequences(1, seed: 16, length: 2000 * TestData.InputSize)[0];
            var output = new float[engine.OutputSize];
            var probability = new float[engine.OutputSize];
            int t = 0;
            void Tick()
            {
                if (task == RnnTask.BinaryClassification)
                    engine.Predict(series.AsSpan(2 * (t % 2000), 2), output, probability);
                else
                    engine.Predict(series.AsSpan(2 * (t % 2000), 2), output);
                t++;
            }

            for (int i = 0; i < 100; i++)
                Tick();
            // The least over a few windows of 200 ticks: a per-tick allocation shows in every window, the runtime's own
            // tier-up work (a few bytes on the calling thread, once) in one (as GemmTests measures).
            long least = long.MaxValue;
            for (int window = 0; window < 5 && least > 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                    Tick();
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.AreEqual(0L, least, task.ToString());
        }
    }

    [TestMethod]
    public void EnginesOnManyThreadsShareOneTransformer()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, RnnTask.MulticlassClassification, RnnCellType.Gru, layers: 2);
        float[][] series = TestData.Sequences(8, seed: 17, length: 200 * TestData.InputSize);
        float[][] Run(int i)
        {
            RnnStreamingEngine engine = transformer.CreateStreamingEngine();
            return Enumerable.Range(0, 200).Select(t => engine.Predict(series[i].AsSpan(2 * t, 2))).ToArray();
        }

        float[][][] sequential = Enumerable.Range(0, 8).Select(Run).ToArray();
        var parallel = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            parallel[i] = Run(i);
            // The transformer keeps scoring meanwhile.
            transformer.Transform(ml.Data.LoadFromEnumerable(new[] { new SeriesRow { Features = series[i][..20] } })).GetColumn<float[]>("Score").ToArray();
        });
        for (int i = 0; i < 8; i++)
            for (int t = 0; t < 200; t++)
                CollectionAssert.AreEqual(sequential[i][t], parallel[i][t]);
    }
}
