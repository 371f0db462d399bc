using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>Properties of the core that follow from its definition: padding, batching, dropout, state, determinism.</summary>
[TestClass]
public sealed class NetworkBehaviourTests
{
    private static readonly RnnNetworkShape BidirectionalLstm = new(RnnCellType.Lstm, 3, 6, 2, NumberOfLayers: 2, Bidirectional: true, Head: RnnHead.ManyToMany);

    [TestMethod]
    [DataRow(RnnCellType.Rnn, RnnHead.ManyToOne)]
    [DataRow(RnnCellType.Lstm, RnnHead.ManyToMany)]
    [DataRow(RnnCellType.Gru, RnnHead.ManyToOne)]
    public void PaddedValuesEvenNaNChangeNoOutputNorGradient(RnnCellType cell, RnnHead head)
    {
        var network = new RnnNetwork(new RnnNetworkShape(cell, 3, 5, 2, 2, true, Head: head), seed: 1);
        int[] lengths = [2, 5, 3];
        float[] clean = Data.Random(3 * 5 * 3, seed: 2);
        Data.ClearPadding(clean, lengths, steps: 5, width: 3);
        float[] noisy = (float[])clean.Clone();
        for (int b = 0; b < 3; b++)
            for (int i = lengths[b] * 3; i < 5 * 3; i++)
                noisy[b * 15 + i] = i % 2 == 0 ? float.NaN : 1000f + i;

        var (outputClean, gradientClean, inputGradientClean) = ForwardBackward(network, clean, lengths, 5);
        var (outputNoisy, gradientNoisy, inputGradientNoisy) = ForwardBackward(network, noisy, lengths, 5);
        CollectionAssert.AreEqual(gradientClean, gradientNoisy);
        CollectionAssert.AreEqual(inputGradientClean, inputGradientNoisy);
        if (head == RnnHead.ManyToOne)
            CollectionAssert.AreEqual(outputClean, outputNoisy);
        else
            for (int b = 0; b < 3; b++)
                CollectionAssert.AreEqual(outputClean.AsSpan(b * 10, lengths[b] * 2).ToArray(), outputNoisy.AsSpan(b * 10, lengths[b] * 2).ToArray());
    }

    [TestMethod]
    public void EachSequenceInABatchGivesWhatItGivesAlone()
    {
        var network = new RnnNetwork(BidirectionalLstm with { Head = RnnHead.ManyToOne }, seed: 3);
        int[] lengths = [4, 1, 6];
        float[] inputs = Data.Random(3 * 6 * 3, seed: 4);
        float[] batchOutput = new RnnComputation(network).Forward(new SequenceBatch(inputs, lengths, 6)).ToArray();
        for (int b = 0; b < 3; b++)
        {
            var alone = new float[2];
            network.Predict(inputs.AsSpan(b * 18, lengths[b] * 3), alone);
            Close.AllClose(batchOutput.AsSpan(b * 2, 2), alone, $"sequence {b}", relative: 1e-5f);
        }
    }

    [TestMethod]
    [DataRow(RnnHead.ManyToMany)]
    [DataRow(RnnHead.ManyToOne)]
    public void ABatchCutIntoBlocksGivesWhatItsRowsGiveOneAtATime(RnnHead head)
    {
        // Batch 64 of a 2-layer bidirectional LSTM at hidden 32 is cut into two blocks of rows; a single row never is.
        const int batch = 64, steps = 7, inputSize = 3;
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, inputSize, 32, 2, 2, true, Head: head), seed: 22);
        int stateSize = 32, slices = 4, perRow = network.OutputLength(steps);
        int[] lengths = Enumerable.Range(0, batch).Select(i => 1 + i * 5 % steps).ToArray();
        float[] inputs = Data.Random(batch * steps * inputSize, seed: 23), hidden0 = Data.Random(slices * batch * stateSize, seed: 24);
        float[] cell0 = Data.Random(slices * batch * stateSize, seed: 25), dOutput = Data.Random(batch * perRow, seed: 26);
        Data.ClearPadding(inputs, lengths, steps, inputSize);

        var whole = new RnnComputation(network, threads: 2);
        float[] output = whole.Forward(new SequenceBatch(inputs, lengths, steps), false, hidden0, cell0).ToArray();
        float[] finalHidden = whole.FinalHidden.ToArray(), finalCell = whole.FinalCell.ToArray();
        var gradient = new float[network.Parameters.Length];
        var inputGradient = new float[inputs.Length];
        whole.Backward(dOutput, gradient, inputGradient);

        var single = new RnnComputation(network);
        var gradientSum = new double[gradient.Length];
        var rowGradient = new float[gradient.Length];
        var rowInputGradient = new float[steps * inputSize];
        float[] rowHidden = new float[slices * stateSize], rowCell = new float[slices * stateSize];
        for (int row = 0; row < batch; row++)
        {
            for (int s = 0; s < slices; s++)
            {
                hidden0.AsSpan((s * batch + row) * stateSize, stateSize).CopyTo(rowHidden.AsSpan(s * stateSize));
                cell0.AsSpan((s * batch + row) * stateSize, stateSize).CopyTo(rowCell.AsSpan(s * stateSize));
            }

            float[] rowOutput = single.Forward(new SequenceBatch(inputs.AsSpan(row * steps * inputSize, steps * inputSize), [lengths[row]], steps), false, rowHidden, rowCell).ToArray();
            Close.AllClose(rowOutput, output.AsSpan(row * perRow, perRow), $"row {row} output", relative: 1e-5f, floor: 1e-1f);
            for (int s = 0; s < slices; s++)
            {
                Close.AllClose(single.FinalHidden.Slice(s * stateSize, stateSize), finalHidden.AsSpan((s * batch + row) * stateSize, stateSize), $"row {row} h_n[{s}]", relative: 1e-5f, floor: 1e-1f);
                Close.AllClose(single.FinalCell.Slice(s * stateSize, stateSize), finalCell.AsSpan((s * batch + row) * stateSize, stateSize), $"row {row} c_n[{s}]", relative: 1e-5f, floor: 1e-1f);
            }

            single.Backward(dOutput.AsSpan(row * perRow, perRow), rowGradient, rowInputGradient);
            Close.AllClose(rowInputGradient, inputGradient.AsSpan(row * steps * inputSize, steps * inputSize), $"row {row} input gradient", relative: 1e-5f, floor: 1e-1f);
            for (int i = 0; i < gradient.Length; i++)
                gradientSum[i] += rowGradient[i];
        }

        Close.AllClose(gradientSum.Select(g => (float)g).ToArray(), gradient, "parameter gradient", relative: 1e-4f, floor: 1e-1f);
    }

    [TestMethod]
    public void BlocksReadTheirOwnRowsOfDropoutMasksAndInitialStates()
    {
        // One block over all 8 rows against blocks of rows [0, 3) and [3, 8) given the same whole-batch masks and states.
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 3, 6, 2, NumberOfLayers: 3, Bidirectional: true, Head: RnnHead.ManyToMany, Dropout: 0.5f);
        var network = new RnnNetwork(shape, seed: 27);
        const int batch = 8, steps = 5, split = 3;
        int width = shape.TopWidth, slices = 6, hidden = shape.HiddenSize, perRow = network.OutputLength(steps), inputPerRow = steps * shape.InputSize;
        int[] lengths = [5, 2, 4, 1, 5, 3, 5, 4];
        float[] inputs = Data.Random(batch * inputPerRow, seed: 28), dOutput = Data.Random(batch * perRow, seed: 29);
        Data.ClearPadding(inputs, lengths, steps, shape.InputSize);
        float[] hidden0 = Data.Random(slices * batch * hidden, seed: 30), cell0 = Data.Random(slices * batch * hidden, seed: 31);
        var random = new Random(32);
        float[][] masks = [new float[steps * batch * width], new float[steps * batch * width]];
        foreach (float[] mask in masks)
            DropoutMask.Draw(shape.Dropout, random, mask);
        var whole = new RowBlockInputs
        {
            Parameters = network.Parameters, Inputs = inputs, Lengths = lengths, Steps = steps,
            InitialHidden = hidden0, InitialCell = cell0, DropoutMasks = masks,
        };

        var all = new RowBlock(network);
        all.Forward(whole, 0, batch, threads: 1);
        var allGradient = new float[network.Parameters.Length];
        var allInputGradient = new float[inputs.Length];
        all.Backward(network.Parameters, dOutput, allGradient, allGradient.Length, allInputGradient, threads: 1);

        var blockGradient = new double[allGradient.Length];
        foreach ((int first, int end) in new[] { (0, split), (split, batch) })
        {
            var block = new RowBlock(network);
            block.Forward(whole, first, end, threads: 1);
            int rows = end - first;
            Close.AllClose(all.Output.Slice(first * perRow, rows * perRow), block.Output, $"rows [{first}, {end}) output", relative: 1e-5f, floor: 1e-1f);
            for (int s = 0; s < slices; s++)
            {
                Close.AllClose(all.FinalHidden.Slice((s * batch + first) * hidden, rows * hidden), block.FinalHidden.Slice(s * rows * hidden, rows * hidden), $"h_n[{s}]", relative: 1e-5f, floor: 1e-1f);
                Close.AllClose(all.FinalCell.Slice((s * batch + first) * hidden, rows * hidden), block.FinalCell.Slice(s * rows * hidden, rows * hidden), $"c_n[{s}]", relative: 1e-5f, floor: 1e-1f);
            }

            var inputGradient = new float[rows * inputPerRow];
            block.Backward(network.Parameters, dOutput.AsSpan(first * perRow, rows * perRow), default, allGradient.Length, inputGradient, threads: 1);
            Close.AllClose(allInputGradient.AsSpan(first * inputPerRow, rows * inputPerRow), inputGradient, $"rows [{first}, {end}) input gradient", relative: 1e-5f, floor: 1e-1f);
            ReadOnlySpan<float> gradient = block.OwnGradients(allGradient.Length);
            for (int i = 0; i < gradient.Length; i++)
                blockGradient[i] += gradient[i];
        }

        Close.AllClose(allGradient, blockGradient.Select(g => (float)g).ToArray(), "parameter gradient", relative: 1e-4f, floor: 1e-1f);
    }

    [TestMethod]
    public void DropoutActsOnlyInTraining()
    {
        var withDropout = new RnnNetwork(BidirectionalLstm with { Dropout = 0.5f }, seed: 5);
        float[] inputs = Data.Random(2 * 4 * 3, seed: 6);
        var batch = new SequenceBatch(inputs, [4, 4], 4);
        float[] evaluation = new RnnComputation(withDropout).Forward(batch).ToArray();
        float[] plain = new RnnComputation(new RnnNetwork(BidirectionalLstm, seed: 5)).Forward(batch).ToArray();
        float[] training = new RnnComputation(withDropout).Forward(batch, training: true).ToArray();
        CollectionAssert.AreEqual(plain, evaluation);
        CollectionAssert.AreNotEqual(plain, training);
    }

    [TestMethod]
    public void StatefulTrainingStartsEachBatchFromThePreviousFinalState()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 2, 4, 1, Head: RnnHead.ManyToMany);
        float[] first = Data.Random(2 * 3 * 2, seed: 7), second = Data.Random(2 * 3 * 2, seed: 8);
        float[] targets = Data.Random(2 * 3, seed: 9);
        int[] lengths = [3, 3];

        var stateful = new RnnTrainingSession(new RnnNetwork(shape, 1), new RnnTrainingOptions { Stateful = true });
        stateful.TrainStep(new SequenceBatch(first, lengths, 3), targets);
        float secondLoss = stateful.TrainStep(new SequenceBatch(second, lengths, 3), targets);

        // The same two steps by hand: the second starts from the first's final (h, c), computed before the first
        // update, here by an identical network that has not stepped.
        var manual = new RnnTrainingSession(new RnnNetwork(shape, 1), new RnnTrainingOptions());
        manual.TrainStep(new SequenceBatch(first, lengths, 3), targets);
        var twin = new RnnComputation(new RnnNetwork(shape, 1));
        twin.Forward(new SequenceBatch(first, lengths, 3));
        float manualLoss = manual.TrainStep(new SequenceBatch(second, lengths, 3), targets, twin.FinalHidden, twin.FinalCell);
        Assert.AreEqual(manualLoss, secondLoss);

        var stateless = new RnnTrainingSession(new RnnNetwork(shape, 1), new RnnTrainingOptions());
        stateless.TrainStep(new SequenceBatch(first, lengths, 3), targets);
        Assert.AreNotEqual(secondLoss, stateless.TrainStep(new SequenceBatch(second, lengths, 3), targets));
    }

    [TestMethod]
    public void SameSeedGivesBitIdenticalParametersAfterTraining()
    {
        float[] first = Train(seed: 12, threads: 1), second = Train(seed: 12, threads: 1), other = Train(seed: 13, threads: 1);
        CollectionAssert.AreEqual(first, second);
        CollectionAssert.AreNotEqual(first, other);
    }

    [TestMethod]
    public void ThreadCountsGiveBitIdenticalParameters()
    {
        float[] serial = Train(seed: 12, threads: 1);
        CollectionAssert.AreEqual(serial, Train(seed: 12, threads: 2));
        CollectionAssert.AreEqual(serial, Train(seed: 12, threads: 3));
    }

    [TestMethod]
    public void PredictFromManyThreadsMatchesSerial()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 4, 16, 3, 2, true, Head: RnnHead.ManyToMany), seed: 14);
        float[][] sequences = Enumerable.Range(0, 64).Select(i => Data.Random(4 * (1 + i % 9), seed: 100 + i)).ToArray();
        float[][] serial = sequences.Select(s => Predict(network, s)).ToArray();
        var parallel = new float[sequences.Length][];
        Parallel.For(0, sequences.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => parallel[i % sequences.Length] = Predict(network, sequences[i % sequences.Length]));
        for (int i = 0; i < sequences.Length; i++)
            CollectionAssert.AreEqual(serial[i], parallel[i], $"sequence {i}");
    }

    [TestMethod]
    public void ExportThenImportRestoresEveryParameter()
    {
        var source = new RnnNetwork(BidirectionalLstm, seed: 15);
        var target = new RnnNetwork(BidirectionalLstm, seed: 16);
        target.ImportParameters(source.ExportParameters());
        CollectionAssert.AreEqual(source.Parameters.ToArray(), target.Parameters.ToArray());
        CollectionAssert.AreEqual(
            new[] { "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "rnn.weight_ih_l0_reverse" },
            source.ParameterShapes.Take(5).Select(p => p.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 24, 3 }, source.ParameterShapes[4].Shape);
        CollectionAssert.AreEqual(new[] { 24, 12 }, source.ParameterShapes[8].Shape);
    }

    [TestMethod]
    public void DefaultInitialisationIsPyTorchsUniformRanges()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 7, 100, 9, 2, true), seed: 17);
        foreach (ParameterTensor tensor in network.Layout.Tensors)
        {
            float bound = tensor.Name.StartsWith("head.", StringComparison.Ordinal) ? 1f / MathF.Sqrt(200) : 1f / MathF.Sqrt(100);
            ReadOnlySpan<float> values = tensor.In(network.Parameters);
            float max = 0;
            double sumSquares = 0;
            foreach (float v in values)
            {
                max = Math.Max(max, Math.Abs(v));
                sumSquares += v * v;
            }
            Assert.IsLessThanOrEqualTo(bound, max, tensor.Name);
            if (values.Length >= 1000)
            {
                // U(−a, a) has variance a²/3.
                double variance = sumSquares / values.Length;
                Assert.AreEqual(bound * bound / 3, variance, 0.1 * bound * bound / 3, tensor.Name);
            }
        }
    }

    [TestMethod]
    public void NormalInitialisationHasTheRequestedSpread()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Rnn, 3, 200, 4), seed: 18, RnnInitialization.Normal(0.001f));
        ParameterTensor hidden = network.Layout.Tensors[1];
        float[] values = hidden.In(network.Parameters).ToArray();
        double mean = values.Average(v => (double)v), std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.AreEqual(0.0, mean, 3e-5);
        Assert.AreEqual(0.001, std, 3e-5);
    }

    [TestMethod]
    public void TrainingStepAllocatesNothingAfterWarmUp()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 4, 16, 2, 2, true, Head: RnnHead.ManyToMany, Dropout: 0.2f), seed: 19);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { GradientClipNorm = 1f, Stateful = true });
        float[] inputs = Data.Random(8 * 10 * 4, seed: 20), targets = Data.Random(8 * 10 * 2, seed: 21);
        int[] lengths = [10, 9, 8, 7, 6, 5, 4, 3];
        session.TrainStep(new SequenceBatch(inputs, lengths, 10), targets);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
            session.TrainStep(new SequenceBatch(inputs, lengths, 10), targets);
        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void PredictAllocatesNothingAfterWarmUp()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 5, 64, 1), seed: 22);
        float[] sequence = Data.Random(30 * 5, seed: 23);
        var output = new float[1];
        network.Predict(sequence, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            network.Predict(sequence, output);
        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] Train(int seed, int threads)
    {
        // Batch 64 × GRU hidden 128: cut into two blocks of rows, which run on two threads when allowed.
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 4, 128, 2, 2, true, Head: RnnHead.ManyToMany, Dropout: 0.1f), seed);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = threads, Seed = seed, LearningRate = 1e-2f });
        float[] inputs = Data.Random(64 * 12 * 4, seed: 1), targets = Data.Random(64 * 12 * 2, seed: 2);
        int[] lengths = Enumerable.Range(0, 64).Select(i => 1 + i % 12).ToArray();
        for (int i = 0; i < 5; i++)
            session.TrainStep(new SequenceBatch(inputs, lengths, 12), targets);
        return network.Parameters.ToArray();
    }

    private static float[] Predict(RnnNetwork network, float[] sequence)
    {
        var output = new float[network.OutputLength(sequence.Length / network.Shape.InputSize)];
        network.Predict(sequence, output);
        return output;
    }

    private static (float[] Output, float[] Gradient, float[] InputGradient) ForwardBackward(RnnNetwork network, float[] inputs, int[] lengths, int steps)
    {
        var computation = new RnnComputation(network);
        float[] output = computation.Forward(new SequenceBatch(inputs, lengths, steps)).ToArray();
        var dOutput = Enumerable.Range(0, output.Length).Select(i => (float)Math.Sin(i)).ToArray();
        var gradient = new float[network.Parameters.Length];
        var inputGradient = new float[inputs.Length];
        computation.Backward(dOutput, gradient, inputGradient);
        return (output, gradient, inputGradient);
    }
}
