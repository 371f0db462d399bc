using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// <see cref="RnnNetwork.Predict(SequenceBatch, Span{float}, int)"/> gives every sequence, bit for bit, what the single-sequence
/// <see cref="RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/> gives it alone: whatever the batch size, the other
/// sequences' lengths (padding) and the threads.
/// </summary>
[TestClass]
public sealed class BatchPredictionTests
{
    public static IEnumerable<object[]> Shapes() =>
    [
        [new RnnNetworkShape(RnnCellType.Lstm, 5, 64, 1)],
        [new RnnNetworkShape(RnnCellType.Gru, 3, 8, 2, NumberOfLayers: 2, Head: RnnHead.ManyToMany)],
        [new RnnNetworkShape(RnnCellType.Gru, 2, 5, 1, NumberOfLayers: 2, Bidirectional: true, Head: RnnHead.ManyToMany)],
        [new RnnNetworkShape(RnnCellType.Lstm, 4, 12, 3, NumberOfLayers: 2, Bidirectional: true)],
        [new RnnNetworkShape(RnnCellType.Rnn, 9, 16, 4, Head: RnnHead.ManyToMany)],
        [new RnnNetworkShape(RnnCellType.Gru, 3, 10, 3, NumberOfLayers: 2, Head: RnnHead.EncoderDecoder)
            { OutputLength = 4, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.EveryStep, OutputFeedback = RnnOutputFeedback.Class }],
        [new RnnNetworkShape(RnnCellType.Lstm, 2, 9, 1, Head: RnnHead.EncoderDecoder)
            { OutputLength = 2, Context = RnnContext.Projected, DecoderInput = RnnDecoderInput.InitialStateAndEveryStep }],
        [new RnnNetworkShape(RnnCellType.Gru, 3, 16, 1) { Distribution = RnnDistribution.StudentT }],
    ];

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void EverySequenceScoresAsItDoesAlone(RnnNetworkShape shape)
    {
        var network = new RnnNetwork(shape, seed: 11);
        var random = new Random(3);
        foreach (int batch in new[] { 1, 2, 3, 17, 70 })
        {
            int steps = random.Next(1, 40);
            int[] lengths = Enumerable.Range(0, batch).Select(_ => random.Next(1, steps + 1)).ToArray();
            lengths[random.Next(batch)] = steps;
            float[] inputs = Data.Random(batch * steps * shape.InputSize, random.Next());
            foreach (int threads in new[] { 1, 2 })
            {
                int perRow = network.OutputLength(steps);
                float[] outputs = new float[batch * perRow];
                network.Predict(new SequenceBatch(inputs, lengths, steps), outputs, threads);
                for (int row = 0; row < batch; row++)
                {
                    float[] alone = new float[network.OutputLength(lengths[row])];
                    network.Predict(inputs.AsSpan(row * steps * shape.InputSize, lengths[row] * shape.InputSize), alone);
                    CollectionAssert.AreEqual(alone.Select(BitConverter.SingleToInt32Bits).ToArray(),
                        outputs.AsSpan(row * perRow, alone.Length).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray(),
                        $"batch {batch}, steps {steps}, threads {threads}, row {row} (length {lengths[row]})");
                }
            }
        }
    }

    [TestMethod]
    public void PaddedValuesAreNeverRead()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Lstm, 3, 8, 1, Bidirectional: true, Head: RnnHead.ManyToMany), seed: 2);
        int[] lengths = [2, 5];
        float[] inputs = Data.Random(2 * 5 * 3, 9);
        float[] clean = new float[2 * network.OutputLength(5)], dirty = new float[clean.Length];
        network.Predict(new SequenceBatch(inputs, lengths, 5), clean);
        inputs.AsSpan(2 * 3, 3 * 3).Fill(float.NaN);
        network.Predict(new SequenceBatch(inputs, lengths, 5), dirty);
        CollectionAssert.AreEqual(clean[..2], dirty[..2]);
        CollectionAssert.AreEqual(clean[5..], dirty[5..]);
    }

    [TestMethod]
    public void ArgumentErrorsSayWhatWouldFit()
    {
        var network = new RnnNetwork(new RnnNetworkShape(RnnCellType.Gru, 2, 4, 1), seed: 1);
        ArgumentException wrongOutputs = Assert.Throws<ArgumentException>(() => network.Predict(new SequenceBatch(new float[2 * 3 * 2], [3, 1], 3), new float[3]));
        Assert.AreEqual("outputs", wrongOutputs.ParamName);
        StringAssert.Contains(wrongOutputs.Message, "expected batch 2");
        ArgumentException badLength = Assert.Throws<ArgumentException>(() => network.Predict(new SequenceBatch(new float[2 * 3 * 2], [4, 1], 3), new float[2]));
        StringAssert.Contains(badLength.Message, "expected 1 to 3 steps");
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Predict(new SequenceBatch(new float[2], [1], 1), new float[1], threads: 0));
    }
}
