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
                        foreach (RnnLoss loss in PointLosses)
                            yield return [cell, nonlinearity, layers, bidirectional, head, loss];
    }

    /// <summary>The point losses; the distribution losses have checks of their own below.</summary>
    private static readonly RnnLoss[] PointLosses = [RnnLoss.MeanSquaredError, RnnLoss.BinaryCrossEntropyWithLogits, RnnLoss.SoftmaxCrossEntropy];

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void AnalyticGradientMatchesFiniteDifferences(RnnCellType cell, RnnNonlinearity nonlinearity, int layers, bool bidirectional, RnnHead head, RnnLoss loss)
    {
        int outputs = loss == RnnLoss.SoftmaxCrossEntropy ? 3 : 2;
        var shape = new RnnNetworkShape(cell, InputSize: 3, HiddenSize: 4, OutputSize: outputs, layers, bidirectional, nonlinearity, head);
        var problem = GradientProblem.Create(shape, loss, lengths: [4, 2, 3], steps: 4, seed: 11);
        problem.AssertGradientsMatchFiniteDifferences();
    }

    /// <summary>
    /// The decoder heads: every context × decoder input the rules allow, each cell, with and without feedback (teacher
    /// forced), bidirectional encoders where allowed, 1 and 2 layers, and 1 vs N both ways.
    /// </summary>
    public static IEnumerable<object[]> DecoderConfigurations()
    {
        int index = 0;
        foreach (RnnCellType cell in Enum.GetValues<RnnCellType>())
            foreach (bool feedback in new[] { false, true })
            {
                foreach (RnnContext context in Enum.GetValues<RnnContext>())
                    foreach (RnnDecoderInput input in Enum.GetValues<RnnDecoderInput>())
                    {
                        if (context == RnnContext.Attention && input == RnnDecoderInput.InitialState)
                            continue;
                        bool bidirectionalAllowed = context == RnnContext.Projected || input == RnnDecoderInput.EveryStep;
                        index++;
                        yield return [RnnHead.EncoderDecoder, cell, context, input, feedback, bidirectionalAllowed && index % 2 == 0, 1 + index % 2, (RnnLoss)(index % 3)];
                    }

                foreach (RnnDecoderInput input in new[] { RnnDecoderInput.InitialState, RnnDecoderInput.EveryStep })
                {
                    index++;
                    yield return [RnnHead.OneToMany, cell, RnnContext.LastState, input, feedback, false, 1 + index % 2, (RnnLoss)(index % 3)];
                }
            }
    }

    [TestMethod]
    [DynamicData(nameof(DecoderConfigurations))]
    public void DecoderGradientMatchesFiniteDifferences(RnnHead head, RnnCellType cell, RnnContext context, RnnDecoderInput input, bool feedback,
        bool bidirectional, int layers, RnnLoss loss)
    {
        int outputs = loss == RnnLoss.SoftmaxCrossEntropy ? 3 : loss == RnnLoss.BinaryCrossEntropyWithLogits ? 1 : 2;
        RnnOutputFeedback kind = !feedback ? RnnOutputFeedback.None
            : loss switch { RnnLoss.SoftmaxCrossEntropy => RnnOutputFeedback.Class, RnnLoss.BinaryCrossEntropyWithLogits => RnnOutputFeedback.Decision, _ => RnnOutputFeedback.Value };
        var shape = new RnnNetworkShape(cell, InputSize: 3, HiddenSize: 4, OutputSize: outputs, layers, bidirectional, Head: head)
        {
            OutputLength = 3,
            Context = context,
            DecoderInput = input,
            OutputFeedback = kind,
        };
        var problem = head == RnnHead.OneToMany
            ? GradientProblem.Create(shape, loss, lengths: [1, 1], steps: 1, seed: 13)
            : GradientProblem.Create(shape, loss, lengths: [4, 2, 3], steps: 4, seed: 13);
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

    /// <summary>The distribution heads: both distributions on every head (N vs 1, N vs N with variable lengths, 1 vs N and
    /// N vs M, each decoder also feeding back its means), two cells.</summary>
    public static IEnumerable<object[]> DistributionConfigurations()
    {
        foreach (RnnDistribution distribution in new[] { RnnDistribution.Normal, RnnDistribution.StudentT })
            foreach (RnnCellType cell in new[] { RnnCellType.Lstm, RnnCellType.Gru })
            {
                yield return [distribution, cell, RnnHead.ManyToOne, false];
                yield return [distribution, cell, RnnHead.ManyToMany, false];
                yield return [distribution, cell, RnnHead.OneToMany, false];
                yield return [distribution, cell, RnnHead.OneToMany, true];
                yield return [distribution, cell, RnnHead.EncoderDecoder, false];
                yield return [distribution, cell, RnnHead.EncoderDecoder, true];
            }
    }

    [TestMethod]
    [DynamicData(nameof(DistributionConfigurations))]
    public void DistributionGradientMatchesFiniteDifferences(RnnDistribution distribution, RnnCellType cell, RnnHead head, bool feedback)
    {
        bool decoder = head is RnnHead.OneToMany or RnnHead.EncoderDecoder;
        var shape = new RnnNetworkShape(cell, InputSize: 3, HiddenSize: 4, OutputSize: 2, NumberOfLayers: 2, Bidirectional: head == RnnHead.ManyToMany, Head: head)
        {
            OutputLength = decoder ? 3 : 1,
            OutputFeedback = feedback ? RnnOutputFeedback.Value : RnnOutputFeedback.None,
            Distribution = distribution,
        };
        RnnLoss loss = distribution == RnnDistribution.Normal ? RnnLoss.NormalNegativeLogLikelihood : RnnLoss.StudentTNegativeLogLikelihood;
        var problem = head == RnnHead.OneToMany
            ? GradientProblem.Create(shape, loss, lengths: [1, 1], steps: 1, seed: 17)
            : GradientProblem.Create(shape, loss, lengths: [4, 2, 3], steps: 4, seed: 17);
        problem.AssertGradientsMatchFiniteDifferences();
    }
}
