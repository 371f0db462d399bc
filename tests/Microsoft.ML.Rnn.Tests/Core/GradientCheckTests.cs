using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>
/// Every cell, head, loss, layer count and direction: the analytic gradient of back-propagation through time agrees
/// with central finite differences of the loss, for parameters and inputs, on tiny shapes with variable lengths.
/// </summary>
[TestClass]
public sealed class GradientCheckTests
{
    public static IEnumerable<object[]> Configurations()
    {
        foreach (var (cell, nonlinearity) in new[] { (RnnCellType.Rnn, RnnNonlinearity.Tanh), (RnnCellType.Rnn, RnnNonlinearity.Relu), (RnnCellType.Lstm, RnnNonlinearity.Tanh), (RnnCellType.Gru, RnnNonlinearity.Tanh) })
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (RnnHead head in new[] { RnnHead.ManyToOne, RnnHead.ManyToMany })
                        foreach (RnnLoss loss in Enum.GetValues<RnnLoss>())
                            yield return [cell, nonlinearity, layers, bidirectional, head, loss];
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void AnalyticGradientMatchesFiniteDifferences(RnnCellType cell, RnnNonlinearity nonlinearity, int layers, bool bidirectional, RnnHead head, RnnLoss loss)
    {
        int outputs = loss == RnnLoss.SoftmaxCrossEntropy ? 3 : 2;
        var shape = new RnnNetworkShape(cell, InputSize: 3, HiddenSize: 4, OutputSize: outputs, layers, bidirectional, nonlinearity, head);
        var problem = GradientProblem.Create(shape, loss, lengths: [4, 2, 3], steps: 4, seed: 11);
        problem.AssertGradientsMatchFiniteDifferences();
    }

    [TestMethod]
    public void DropoutGradientMatchesFiniteDifferencesWithTheSameMask()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 3, 4, 2, NumberOfLayers: 3, Bidirectional: true, Head: RnnHead.ManyToMany, Dropout: 0.4f);
        var problem = GradientProblem.Create(shape, RnnLoss.MeanSquaredError, lengths: [4, 3], steps: 4, seed: 5, training: true);
        problem.AssertGradientsMatchFiniteDifferences();
    }

    [TestMethod]
    public void InitialStateGradientsFlowThroughGivenStates()
    {
        var shape = new RnnNetworkShape(RnnCellType.Lstm, 2, 3, 2, NumberOfLayers: 2, Bidirectional: true);
        var problem = GradientProblem.Create(shape, RnnLoss.MeanSquaredError, lengths: [3, 1], steps: 3, seed: 8, withInitialState: true);
        problem.AssertGradientsMatchFiniteDifferences();
    }
}
