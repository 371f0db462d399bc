using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.Streaming;

/// <summary><see cref="RnnStreamingEngine.SaveState"/> and <see cref="RnnStreamingEngine.LoadState"/>: a checkpoint continues exactly,
/// and a file from another model, truncated or corrupt is refused with a clear error and no change of state.</summary>
[TestClass]
public sealed class StreamingStateFileTests
{
    private static RnnTransformer Train(MLContext ml, int seed = 3, int hidden = 12)
    {
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, RnnHead.ManyToMany, epochs: 1);
        options.NumberOfLayers = 2;
        options.HiddenSize = hidden;
        options.Seed = seed;
        return (RnnTransformer)TestData.Pipeline(ml, RnnTask.Regression, options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToMany, rows: 16));
    }

    private static readonly float[] Series = TestData.Sequences(1, seed: 21, length: 60 * TestData.InputSize)[0];

    private static float[] Tick(RnnStreamingEngine engine, int t) => engine.Predict(Series.AsSpan(2 * t, 2));

    [TestMethod]
    public void ACheckpointContinuesBitForBitInANewEngine()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, hidden: 40);
        foreach (int split in new[] { 0, 1, 2, 30 })
        {
            RnnStreamingEngine original = transformer.CreateStreamingEngine();
            for (int t = 0; t < split; t++)
                Tick(original, t);
            var file = new MemoryStream();
            original.SaveState(file);
            file.Position = 0;
            RnnStreamingEngine restored = transformer.CreateStreamingEngine();
            Tick(restored, 59); // some other state, to be replaced
            restored.LoadState(file);
            Assert.AreEqual(split, restored.StepsSeen);
            for (int t = split; t < 60; t++)
                CollectionAssert.AreEqual(Tick(original, t), Tick(restored, t), $"split {split}, tick {t}");
        }
    }

    [TestMethod]
    public void AStateOfKeptTicksFromAnEarlierReleaseContinuesAsTheLiveEngine()
    {
        // Earlier releases saved a series' first ticks themselves while warming up (format version 1, the values being
        // the ticks): built here byte for byte as they wrote it, with this model's identity from a state of its own.
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml, hidden: 40);
        RnnStreamingEngine live = transformer.CreateStreamingEngine();
        var own = new MemoryStream();
        live.SaveState(own);
        const int kept = 3;
        for (int t = 0; t < kept; t++)
            Tick(live, t);

        float[] ticks = Series.AsSpan(0, kept * 2).ToArray();
        byte[] file = new byte[24 + 4 * ticks.Length + 4];
        own.ToArray().AsSpan(0, 12).CopyTo(file); // magic, format version 1, model identity
        BitConverter.TryWriteBytes(file.AsSpan(12), (long)kept);
        BitConverter.TryWriteBytes(file.AsSpan(20), ticks.Length);
        for (int i = 0; i < ticks.Length; i++)
            BitConverter.TryWriteBytes(file.AsSpan(24 + 4 * i), ticks[i]);
        BitConverter.TryWriteBytes(file.AsSpan(24 + 4 * ticks.Length), Crc32.Compute(file.AsSpan(12, 12 + 4 * ticks.Length)));

        RnnStreamingEngine restored = transformer.CreateStreamingEngine();
        restored.LoadState(new MemoryStream(file));
        Assert.AreEqual(kept, restored.StepsSeen);
        for (int t = kept; t < 60; t++)
            CollectionAssert.AreEqual(Tick(live, t), Tick(restored, t), $"tick {t}");
    }

    [TestMethod]
    public void ACheckpointSurvivesSavingAndLoadingTheModel()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml);
        RnnStreamingEngine original = transformer.CreateStreamingEngine();
        for (int t = 0; t < 25; t++)
            Tick(original, t);
        var state = new MemoryStream();
        original.SaveState(state);
        string path = TestData.TempPath();
        ml.Model.Save(transformer, null, path);
        var loaded = (RnnTransformer)ml.Model.Load(path, out _);
        File.Delete(path);
        RnnStreamingEngine restored = loaded.CreateStreamingEngine();
        state.Position = 0;
        restored.LoadState(state);
        for (int t = 25; t < 60; t++)
            CollectionAssert.AreEqual(Tick(original, t), Tick(restored, t));
    }

    [TestMethod]
    public void BadStateFilesAreRefusedAndTheEngineKeepsItsState()
    {
        var ml = new MLContext(1);
        RnnTransformer transformer = Train(ml), other = Train(ml, seed: 4);
        RnnStreamingEngine source = transformer.CreateStreamingEngine();
        for (int t = 0; t < 20; t++)
            Tick(source, t);
        var saved = new MemoryStream();
        source.SaveState(saved);
        byte[] good = saved.ToArray();

        RnnStreamingEngine target = transformer.CreateStreamingEngine(), twin = transformer.CreateStreamingEngine();
        for (int t = 0; t < 7; t++)
        {
            Tick(target, t);
            Tick(twin, t);
        }

        void Refused(byte[] bytes, string expected, RnnStreamingEngine engine)
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.LoadState(new MemoryStream(bytes)));
            StringAssert.Contains(e.Message, expected);
        }

        // A different model (same shape, other parameters).
        RnnStreamingEngine otherEngine = other.CreateStreamingEngine();
        Refused(good, "different model", otherEngine);
        // Truncated anywhere: in the header, in the state, before the checksum.
        foreach (int length in new[] { 0, 3, 20, good.Length / 2, good.Length - 1 })
            Refused(good[..length], "truncated", target);
        // One flipped bit in the state.
        byte[] flipped = (byte[])good.Clone();
        flipped[40] ^= 0x10;
        Refused(flipped, "checksum", target);
        // Not a state at all; a later format; a length that does not fit the step count.
        Refused(new byte[64], "not a streaming-engine state", target);
        byte[] later = (byte[])good.Clone();
        later[4] = 9;
        Refused(later, "format version 9", target);
        byte[] wrongLength = (byte[])good.Clone();
        wrongLength[20] ^= 1;
        Refused(wrongLength, "state holds", target);

        // Nothing above changed the target: it continues as its twin.
        Assert.AreEqual(7L, target.StepsSeen);
        for (int t = 7; t < 30; t++)
            CollectionAssert.AreEqual(Tick(twin, t), Tick(target, t));
    }
}
