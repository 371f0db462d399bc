namespace Microsoft.ML.Rnn.Core;

/// <summary>The four parameters of one layer in one direction.</summary>
internal readonly record struct RecurrentParameters(
    ParameterTensor InputWeight,
    ParameterTensor HiddenWeight,
    ParameterTensor InputBias,
    ParameterTensor HiddenBias)
{
    /// <summary>Values of the four together.</summary>
    public long Length => InputWeight.Length + HiddenWeight.Length + InputBias.Length + HiddenBias.Length;

    /// <summary>The four in <c>state_dict</c> order.</summary>
    public IEnumerable<ParameterTensor> Tensors => [InputWeight, HiddenWeight, InputBias, HiddenBias];

    /// <summary>
    /// Lays out layer <paramref name="layer"/>, direction <paramref name="direction"/> of an <c>nn.RNN</c>/<c>nn.LSTM</c>/
    /// <c>nn.GRU</c> named <paramref name="prefix"/> from <paramref name="offset"/> on: <c>prefix.weight_ih_l{k}[_reverse]</c>,
    /// <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>, as PyTorch names and orders them.
    /// </summary>
    public static RecurrentParameters Create(string prefix, RnnNetworkShape shape, int layer, int direction, int inputWidth, long offset)
    {
        int gates = shape.GateCount * shape.HiddenSize;
        string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
        ParameterTensor Next(string name, int rows, int columns, bool isVector)
        {
            var tensor = new ParameterTensor($"{prefix}.{name}{suffix}", offset, rows, columns) { IsVector = isVector, FanIn = shape.HiddenSize, IsRecurrent = true };
            offset += tensor.Length;
            return tensor;
        }

        return new RecurrentParameters(
            Next("weight_ih", gates, inputWidth, false),
            Next("weight_hh", gates, shape.HiddenSize, false),
            Next("bias_ih", gates, 1, true),
            Next("bias_hh", gates, 1, true));
    }
}
