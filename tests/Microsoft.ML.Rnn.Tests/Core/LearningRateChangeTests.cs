using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary><see cref="RnnTrainingSession.LearningRate"/>: a new rate applies from the next step on, with the optimizer's state kept.</summary>
[TestClass]
public sealed class LearningRateChangeTests
{
    [TestMethod]
    public void SgdStepsWithTheNewRate()
    {
        var shape = new RnnNetworkShape(RnnCellType.Gru, InputSize: 2, HiddenSize: 3, OutputSize: 1);
        var network = new RnnNetwork(shape, seed: 4);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { Optimizer = RnnOptimizerKind.Sgd, LearningRate = 0.1f, Threads = 1 });
        Assert.AreEqual(0.1f, session.LearningRate);

        session.LearningRate = 0.025f;
        float[] before = network.Values.ToArray();
        session.TrainStep(new SequenceBatch(Data.Random(2 * 4 * 2, 1), [4, 4], 4), Data.Random(2, 2));

        float[] gradient = session.Gradients.ToArray();
        CollectionAssert.AreEqual(before.Select((p, i) => p - 0.025f * gradient[i]).ToArray(), network.Values.ToArray());
    }

    [TestMethod]
    public void SettingARateAndBackLeavesAdamsStepsAsTheyWere()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, InputSize: 2, HiddenSize: 3, OutputSize: 1);
        float[] inputs = Data.Random(2 * 4 * 2, 1), targets = Data.Random(2, 2);
        var batch = new SequenceBatch(inputs, [4, 4], 4);
        // Changing the rate to what it was is no change: the state (moments, step count for the bias correction) carries on.
        var changed = new RnnNetwork(shape, seed: 4);
        var plain = new RnnNetwork(shape, seed: 4);
        var changedSession = new RnnTrainingSession(changed, new RnnTrainingOptions { LearningRate = 0.01f, Threads = 1 });
        var plainSession = new RnnTrainingSession(plain, new RnnTrainingOptions { LearningRate = 0.01f, Threads = 1 });
        for (int step = 0; step < 3; step++)
        {
            changedSession.LearningRate = step == 1 ? 0.5f : 0.01f;
            changedSession.LearningRate = 0.01f;
            changedSession.TrainStep(batch, targets);
            plainSession.TrainStep(batch, targets);
        }

        CollectionAssert.AreEqual(plain.Values.ToArray(), changed.Values.ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => changedSession.LearningRate = float.NaN);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => changedSession.LearningRate = -1f);
    }
}
