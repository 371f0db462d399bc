using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The core's stepper against the whole-sequence pass: every step's raw head output equals, bit for bit, the last step
/// of <see cref="RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/> on the whole series so far (the path ML.NET scoring takes), for every cell and
/// over the sizes where the GEMM's algorithm (and so its rounding) changes with the number of steps.
/// </summary>
[TestClass]
public sealed class StreamingNetworkTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (RnnCellType cell in new[] { RnnCellType.Rnn, RnnCellType.Lstm, RnnCellType.Gru })
        {
            foreach (int hidden in new[] { 1, 7, 64, 130 })
                foreach (int input in new[] { 1, 5, 33 })
                    yield return [cell, input, hidden, 1, 1];
            yield return [cell, 3, 16, 3, 2];
            yield return [cell, 9, 12, 2, 4];
            // Deeper than a packed slice (256): the packed path sums the depth in slices and adds them.
            yield return [cell, 300, 3, 1, 1];
            yield return [cell, 520, 70, 2, 2];
        }
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void EveryStepMatchesTheWholeSeriesSoFar(RnnCellType cell, int input, int hidden, int outputs, int layers)
    {
        var network = new RnnNetwork(new RnnNetworkShape(cell, input, hidden, outputs, layers, Head: RnnHead.ManyToMany), seed: hidden * 31 + input);
        var stepper = new StreamingNetwork(network);
        // Past the warm-up and past the lengths at which the batched products change algorithm (3, and 4096 multiply-adds).
        int steps = Math.Max(stepper.WarmUpSteps + 8, hidden >= 64 ? 24 : 48);
        float[] series = Scaled(Data.Random(steps * input, seed: input * 7 + hidden), 3f);
        var streamed = new float[outputs];
        for (int t = 1; t <= steps; t++)
        {
            stepper.Step(series.AsSpan((t - 1) * input, input), streamed);
            float[] whole = new float[network.OutputLength(t)];
            network.Predict(series.AsSpan(0, t * input), whole);
            CollectionAssert.AreEqual(whole[^outputs..], streamed, $"step {t} of {cell} input {input} hidden {hidden} layers {layers}");
        }

        Assert.AreEqual(steps, stepper.StepsSeen);
    }

    [TestMethod]
    public void ADistributionHeadStreamsItsRawParametersToo()
    {
        // The core steps the head's whole output (μ and raw σ, ν per output); the ML.NET engine refuses such models for now.
        foreach (RnnDistribution distribution in new[] { RnnDistribution.Normal, RnnDistribution.StudentT })
        {
            var shape = new RnnNetworkShape(RnnCellType.Lstm, 3, 20, 2, 2, Head: RnnHead.ManyToMany) { Distribution = distribution };
            var network = new RnnNetwork(shape, seed: 4);
            var stepper = new StreamingNetwork(network);
            Assert.AreEqual(shape.OutputWidth, stepper.OutputSize);
            float[] series = Data.Random(3 * 30, 5), streamed = new float[shape.OutputWidth];
            for (int t = 1; t <= 30; t++)
            {
                stepper.Step(series.AsSpan(3 * (t - 1), 3), streamed);
                float[] whole = new float[network.OutputLength(t)];
                network.Predict(series.AsSpan(0, 3 * t), whole);
                CollectionAssert.AreEqual(whole[^shape.OutputWidth..], streamed, $"{distribution} step {t}");
            }
        }
    }

    [TestMethod]
    public void ScoringProjectionsRoundARowAlikeOverAnyNumberOfRows()
    {
        // Planned by shape, an input projection of 64 features into 256 gates rounds a row one way over 1 or 2 rows
        // (dot form) and another over 3 or more (packed); scoring plans it row-invariantly, so the stepper needs no warm-up.
        float[] x = Scaled(Data.Random(100 * 64, 3), 5f), w = Data.Random(256 * 64, 4);
        float[] one = new float[256], many = new float[100 * 256];
        Gemm.MultiplyTransposedB(1, 256, 64, x, 64, w, 64, one, 256, accumulate: false);
        Gemm.MultiplyTransposedB(100, 256, 64, x, 64, w, 64, many, 256, accumulate: false);
        Assert.IsTrue(Enumerable.Range(0, 256).Any(j => one[j] != many[j]), "a 1-row and a 100-row product gave row 0 the same bits everywhere");
        Assert.AreEqual(ProjectionRounding.Of(1, 256, 64), ProjectionRounding.Of(100, 256, 64));
        Gemm.MultiplyTransposedB(1, 256, 64, x, 64, w, 64, one, 256, accumulate: false, sequenceRows: GemmDispatcher.VaryingRows);
        Gemm.MultiplyTransposedB(100, 256, 64, x, 64, w, 64, many, 256, accumulate: false, sequenceRows: GemmDispatcher.VaryingRows);
        CollectionAssert.AreEqual(many[..256], one);

        // And the projection the stepper uses reproduces the 100-row product's row 0 exactly.
        var tensor = new ParameterTensor("w", 0, 256, 64);
        var projection = new RowProjection(w, 0, tensor);
        float[] row = new float[256];
        projection.Project(x.AsSpan(0, 64), projection.RoundingFor(100), row);
        CollectionAssert.AreEqual(many[..256], row);
    }

    [TestMethod]
    public void ScoringNeedsNoWarmUp()
    {
        // Scoring plans every projection row-invariantly, so none changes algorithm with the number of steps: a stacked
        // LSTM (64 → 256 in the second layer) and a tiny layer on a wide input step from the first step.
        Assert.AreEqual(1, new StreamingNetwork(new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 1, 64, 1, Head: RnnHead.ManyToMany), 1)).WarmUpSteps);
        Assert.AreEqual(1, new StreamingNetwork(new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 1, 64, 1, 2, Head: RnnHead.ManyToMany), 1)).WarmUpSteps);
        Assert.AreEqual(1, new StreamingNetwork(new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 8, 1, 1, Head: RnnHead.ManyToMany), 1)).WarmUpSteps);
    }

    [TestMethod]
    public void AResetStartsAgainFromTheZeroState()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 2, 8, 1, Head: RnnHead.ManyToMany), seed: 5);
        var stepper = new StreamingNetwork(network);
        float[] series = Data.Random(40, 6), first = new float[20], second = new float[20], output = new float[1];
        for (int t = 0; t < 20; t++)
        {
            stepper.Step(series.AsSpan(2 * t, 2), output);
            first[t] = output[0];
        }

        stepper.Reset();
        Assert.AreEqual(0, stepper.StepsSeen);
        for (int t = 0; t < 20; t++)
        {
            stepper.Step(series.AsSpan(2 * t, 2), output);
            second[t] = output[0];
        }

        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void ARejectedStepChangesNothing()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 2, 8, 1, Head: RnnHead.ManyToMany), seed: 5);
        var stepper = new StreamingNetwork(network);
        var reference = new StreamingNetwork(network);
        float[] series = Data.Random(60, 6), a = new float[1], b = new float[1];
        for (int t = 0; t < 30; t++)
        {
            if (t % 3 == 1)
            {
                Assert.ThrowsExactly<ArgumentException>(() => stepper.Step([float.NaN, 1f], new float[1]));
                Assert.ThrowsExactly<ArgumentException>(() => stepper.Step([1f, float.PositiveInfinity], new float[1]));
                Assert.ThrowsExactly<ArgumentException>(() => stepper.Step([1f, 2f, 3f], new float[1]));
            }

            stepper.Step(series.AsSpan(2 * t, 2), a);
            reference.Step(series.AsSpan(2 * t, 2), b);
            Assert.AreEqual(b[0], a[0]);
            Assert.AreEqual(reference.StepsSeen, stepper.StepsSeen);
        }
    }

    [TestMethod]
    public void StateWrittenAndReadBackContinuesExactly()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 3, 10, 2, 2, Head: RnnHead.ManyToMany), seed: 8);
        float[] series = Data.Random(3 * 80, 9);
        foreach (int split in new[] { 0, 1, 2, 5, 40 })
        {
            var original = new StreamingNetwork(network);
            var output = new float[2];
            for (int t = 0; t < split; t++)
                original.Step(series.AsSpan(3 * t, 3), output);
            float[] state = new float[original.StateLength];
            original.WriteState(state);
            var restored = new StreamingNetwork(network);
            restored.ReadState(split, state);
            Assert.AreEqual(original.StateLength, restored.StateLength);
            var other = new float[2];
            for (int t = split; t < 80; t++)
            {
                original.Step(series.AsSpan(3 * t, 3), output);
                restored.Step(series.AsSpan(3 * t, 3), other);
                CollectionAssert.AreEqual(output, other, $"split {split}, step {t}");
            }
        }
    }

    [TestMethod]
    public void RefusesWhatCannotStream()
    {
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(
            () => new StreamingNetwork(new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 2, 4, 1), 1))).Message, "ManyToOne");
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(
            () => new StreamingNetwork(new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 2, 4, 1, Bidirectional: true, Head: RnnHead.ManyToMany), 1))).Message, "bidirectional");
    }

    [TestMethod]
    [DoNotParallelize] // counts this thread's allocations
    public void AStepAllocatesNothingAndTheStateDoesNotGrow()
    {
        foreach (RnnCellType cell in new[] { RnnCellType.Rnn, RnnCellType.Lstm, RnnCellType.Gru })
        {
            var network = new RnnNetwork(new RnnNetworkShape(cell, 4, 64, 3, 2, Head: RnnHead.ManyToMany), seed: 2);
            var stepper = new StreamingNetwork(network);
            float[] series = Data.Random(4 * 2000, 3), output = new float[3];
            for (int t = 0; t < 100; t++)
                stepper.Step(series.AsSpan(4 * t, 4), output);
            int state = stepper.StateLength;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int t = 100; t < 2000; t++)
                stepper.Step(series.AsSpan(4 * t, 4), output);
            Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before, $"{cell}");
            Assert.AreEqual(state, stepper.StateLength);
        }
    }

    private static float[] Scaled(float[] values, float factor)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] *= factor;
        return values;
    }
}
