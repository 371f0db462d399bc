using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>A trained model's network cannot change under the threads that score with it; a copy can.</summary>
[TestClass]
public sealed class ReadOnlyNetworkTests
{
    [TestMethod]
    public void ATrainedModelsNetworkRefusesInPlaceChanges()
    {
        var ml = new MLContext(1);
        RnnTransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        RnnNetwork network = model.Network;
        float[] before = network.Parameters.ToArray();
        IReadOnlyDictionary<string, float[]> zeros = network.ExportParameters().ToDictionary(p => p.Key, p => new float[p.Value.Length]);

        Assert.IsTrue(network.IsReadOnly);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => network.ImportParameters(zeros)).Message, "WithParameters");
        Assert.ThrowsExactly<InvalidOperationException>(() => new RnnTrainingSession(network, new RnnTrainingOptions()));
        CollectionAssert.AreEqual(before, network.Parameters.ToArray());

        RnnNetwork changed = network.WithParameters(zeros);
        Assert.IsFalse(changed.IsReadOnly);
        Assert.IsTrue(changed.Parameters.ToArray().All(v => v == 0f));
        CollectionAssert.AreEqual(before, network.Parameters.ToArray(), "WithParameters leaves the original as it was");

        RnnNetwork copy = network.Clone();
        Assert.IsFalse(copy.IsReadOnly);
        _ = new RnnTrainingSession(copy, new RnnTrainingOptions());
    }
}
