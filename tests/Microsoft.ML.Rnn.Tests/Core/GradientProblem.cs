using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>A network, a batch and targets, with the loss as a function of parameters and inputs for finite differences.</summary>
internal sealed class GradientProblem
{
    private const float Epsilon = 2e-3f;
    private readonly RnnNetwork _network;
    private readonly RnnLoss _loss;
    private readonly float[] _inputs;
    private readonly int[] _lengths;
    private readonly int _steps;
    private readonly float[] _targets;
    private readonly float[] _initialHidden;
    private readonly float[] _initialCell;
    private readonly bool _training;

    private GradientProblem(RnnNetwork network, RnnLoss loss, float[] inputs, int[] lengths, int steps, float[] targets, float[] initialHidden, float[] initialCell, bool training)
    {
        _network = network;
        _loss = loss;
        _inputs = inputs;
        _lengths = lengths;
        _steps = steps;
        _targets = targets;
        _initialHidden = initialHidden;
        _initialCell = initialCell;
        _training = training;
    }

    public static GradientProblem Create(RnnNetworkShape shape, RnnLoss loss, int[] lengths, int steps, int seed, bool training = false, bool withInitialState = false)
    {
        var random = new Random(seed);
        var network = new RnnNetwork(shape, seed);
        // Larger weights than the default make the gates leave their linear region, so the check sees real curvature.
        Span<float> parameters = network.Values;
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] *= 2f;
        int batch = lengths.Length;
        float[] inputs = RandomValues(random, batch * steps * shape.InputSize);
        for (int b = 0; b < batch; b++)
            inputs.AsSpan((b * steps + lengths[b]) * shape.InputSize, (steps - lengths[b]) * shape.InputSize).Clear();
        int targetLength = LossFunction.TargetLength(loss, shape.HeadStructure, batch, steps, shape.OutputSize);
        float[] targets = loss switch
        {
            RnnLoss.SoftmaxCrossEntropy => Enumerable.Range(0, targetLength).Select(_ => (float)random.Next(shape.OutputSize)).ToArray(),
            RnnLoss.BinaryCrossEntropyWithLogits => Enumerable.Range(0, targetLength).Select(_ => (float)random.Next(2)).ToArray(),
            _ => RandomValues(random, targetLength),
        };
        int stateLength = shape.NumberOfLayers * shape.Directions * batch * shape.HiddenSize;
        float[] initialHidden = withInitialState ? RandomValues(random, stateLength) : [];
        float[] initialCell = withInitialState && shape.Cell == RnnCellType.Lstm ? RandomValues(random, stateLength) : [];
        return new GradientProblem(network, loss, inputs, lengths, steps, targets, initialHidden, initialCell, training);
    }

    public void AssertGradientsMatchFiniteDifferences()
    {
        var parameterGradient = new float[_network.Parameters.Length];
        var inputGradient = new float[_inputs.Length];
        Loss(parameterGradient, inputGradient);

        Span<float> parameters = _network.Values;
        var random = new Random(3);
        int checkedParameters = Math.Min(60, parameters.Length);
        // Random elements across the whole vector, and a few of every tensor, so that small ones are never missed.
        IEnumerable<int> indices = Enumerable.Range(0, parameters.Length).OrderBy(_ => random.Next()).Take(checkedParameters)
            .Concat(_network.Layout.Tensors.SelectMany(t => Enumerable.Range((int)t.Offset, (int)t.Length).OrderBy(_ => random.Next()).Take(3)))
            .Distinct();
        foreach (int index in indices)
        {
            float numeric = CentralDifference(_network.Values, index);
            AssertClose(numeric, parameterGradient[index], $"parameter {NameOf(index)}");
        }

        for (int index = 0; index < _inputs.Length; index++)
        {
            float numeric = CentralDifference(_inputs, index);
            AssertClose(numeric, inputGradient[index], $"input {index}");
        }
    }

    private float CentralDifference(Span<float> values, int index)
    {
        float original = values[index];
        values[index] = original + Epsilon;
        double plus = Loss(null, null);
        values[index] = original - Epsilon;
        double minus = Loss(null, null);
        values[index] = original;
        return (float)((plus - minus) / (2 * Epsilon));
    }

    private double Loss(float[]? parameterGradient, float[]? inputGradient)
    {
        // A new computation with the same seed draws the same dropout masks every time.
        var computation = new RnnComputation(_network, threads: 1, dropoutSeed: 42);
        var batch = new SequenceBatch(_inputs, _lengths, _steps);
        // A decoder that feeds back its previous output is differentiated as it trains: with the targets fed back.
        ReadOnlySpan<float> output = computation.Forward(batch, _training, _initialHidden, _initialCell, targets: _targets);
        var dOutput = new float[output.Length];
        float loss = LossFunction.Compute(_loss, _network.Shape.HeadStructure, output, _targets, _lengths, _steps, _network.Shape.OutputSize, dOutput);
        if (parameterGradient is not null)
            computation.Backward(dOutput, parameterGradient, inputGradient);
        return loss;
    }

    private string NameOf(int index)
    {
        ParameterTensor tensor = _network.Layout.Tensors.Last(t => t.Offset <= index);
        return $"{tensor.Name}[{index - tensor.Offset}]";
    }

    private static void AssertClose(float numeric, float analytic, string what)
    {
        float tolerance = 2e-2f * Math.Max(Math.Abs(numeric), Math.Abs(analytic)) + 2e-3f;
        Assert.IsLessThanOrEqualTo(tolerance, Math.Abs(numeric - analytic), $"{what}: finite difference {numeric}, back-propagation {analytic}");
    }

    private static float[] RandomValues(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
