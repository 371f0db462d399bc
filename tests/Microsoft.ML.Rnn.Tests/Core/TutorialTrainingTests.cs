using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// The seed tutorial's train.py (RNN 3→5→4, batch 2, 30 steps, N vs N, MSE, Adam 1e-3, hidden state carried and
/// detached every iteration) follows PyTorch's loss trajectory from the same initial weights and data.
/// </summary>
[TestClass]
public sealed class TutorialTrainingTests
{
    [TestMethod]
    public void LossTrajectoryFollowsPyTorch()
    {
        TorchFixture fixture = TorchFixture.Load("tutorial_train");
        RnnNetwork network = fixture.CreateNetwork();
        Assert.AreEqual(new RnnNetworkShape(RnnCellType.Rnn, 3, 5, 4, Head: RnnHead.ManyToMany), network.Shape);
        var session = new RnnTrainingSession(network, new RnnTrainingOptions { LearningRate = 1e-3f, Stateful = true });
        float[] input = fixture.Floats("input");
        int[] lengths = [30, 30];
        var targets = fixture.Root.GetProperty("targets").EnumerateArray().Select(TorchFixture.Floats).ToList();
        var losses = targets.Select(target => session.TrainStep(new SequenceBatch(input, lengths, 30), target)).ToArray();

        Close.AllClose(fixture.Floats("losses"), losses, "loss trajectory");
        Close.AllClose(fixture.Floats("final_hidden"), session.FinalHidden, "hidden state of the last iteration");
        var expected = TorchFixture.Parameters(fixture.Root.GetProperty("final_parameters"));
        foreach (ParameterTensor tensor in network.Layout.Tensors)
            Close.AllClose(expected[tensor.Name], tensor.In(network.Parameters), tensor.Name);
    }

    [TestMethod]
    public void WithoutCarryingTheStateTheTrajectoryDiffers()
    {
        // The carried state matters in this loop: a stateless run from the same start must leave the trajectory.
        TorchFixture fixture = TorchFixture.Load("tutorial_train");
        var session = new RnnTrainingSession(fixture.CreateNetwork(), new RnnTrainingOptions { LearningRate = 1e-3f, Stateful = false });
        float[] input = fixture.Floats("input");
        var targets = fixture.Root.GetProperty("targets").EnumerateArray().Select(TorchFixture.Floats).ToList();
        float[] losses = targets.Select(target => session.TrainStep(new SequenceBatch(input, [30, 30], 30), target)).ToArray();
        float[] expected = fixture.Floats("losses");
        Assert.IsTrue(Enumerable.Range(0, losses.Length).Any(i => Math.Abs(losses[i] - expected[i]) > 1e-3f * Math.Abs(expected[i])));
    }
}
