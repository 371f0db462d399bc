namespace Microsoft.ML.Rnn.Core;

/// <summary>How a new network's parameters are drawn.</summary>
public sealed record RnnInitialization
{
    private RnnInitialization(float? recurrentStandardDeviation) => RecurrentStandardDeviation = recurrentStandardDeviation;

    /// <summary>
    /// PyTorch's defaults: every recurrent weight and bias from U(−1/√hidden, 1/√hidden); the head as <c>nn.Linear</c>,
    /// weight and bias from U(−1/√fan_in, 1/√fan_in).
    /// </summary>
    public static RnnInitialization PyTorchDefault { get; } = new((float?)null);

    /// <summary>The tutorial's <c>nn.init.normal_(k, mean=0.0, std)</c> on every recurrent parameter; the head as PyTorch's default.</summary>
    public static RnnInitialization Normal(float standardDeviation)
    {
        if (!(standardDeviation > 0f) || float.IsInfinity(standardDeviation))
            throw new ArgumentException($"The standard deviation is {standardDeviation}; expected a positive finite number.", nameof(standardDeviation));
        return new RnnInitialization(standardDeviation);
    }

    /// <summary>The standard deviation of the normal draw for recurrent parameters, or null for PyTorch's uniform default.</summary>
    public float? RecurrentStandardDeviation { get; }

    internal void Fill(ParameterLayout layout, Span<float> values, int seed)
    {
        var random = new Random(seed);
        foreach (ParameterTensor tensor in layout.Tensors)
        {
            Span<float> target = tensor.In(values);
            if (tensor.IsRecurrent && RecurrentStandardDeviation is float std)
            {
                for (int i = 0; i < target.Length; i++)
                    target[i] = std * StandardNormal(random);
                continue;
            }

            // Recurrent tensors: bound 1/√hidden; nn.Linear: kaiming_uniform(a=√5), which is 1/√fan_in for weight and bias.
            float bound = 1f / MathF.Sqrt(tensor.FanIn);
            for (int i = 0; i < target.Length; i++)
                target[i] = (float)((2.0 * random.NextDouble() - 1.0) * bound);
        }
    }

    private static float StandardNormal(Random random)
    {
        // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
