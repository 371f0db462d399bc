namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Where each parameter of a network lives in one flat vector, in PyTorch's <c>state_dict</c> order:
/// for each layer, for each direction, <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>; then the head.
/// One flat vector lets the optimizer, gradient clipping and model files treat all parameters as one span.
/// </summary>
public sealed class ParameterLayout
{
    private readonly ParameterTensor[] _tensors;
    private readonly Dictionary<string, ParameterTensor> _byName;

    /// <summary>Lays out the parameters of <paramref name="shape"/>.</summary>
    public ParameterLayout(RnnNetworkShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        int gates = shape.GateCount * shape.HiddenSize;
        var tensors = new List<ParameterTensor>();
        int offset = 0;
        ParameterTensor Add(string name, int rows, int columns, bool isVector)
        {
            var tensor = new ParameterTensor(name, offset, rows, columns) { IsVector = isVector };
            tensors.Add(tensor);
            offset = checked(offset + tensor.Length);
            return tensor;
        }

        Recurrent = new RecurrentParameters[shape.NumberOfLayers, shape.Directions];
        for (int layer = 0; layer < shape.NumberOfLayers; layer++)
        {
            int inputWidth = layer == 0 ? shape.InputSize : shape.TopWidth;
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
                Recurrent[layer, direction] = new RecurrentParameters(
                    Add("rnn.weight_ih" + suffix, gates, inputWidth, false),
                    Add("rnn.weight_hh" + suffix, gates, shape.HiddenSize, false),
                    Add("rnn.bias_ih" + suffix, gates, 1, true),
                    Add("rnn.bias_hh" + suffix, gates, 1, true));
            }
        }

        HeadWeight = Add("head.weight", shape.OutputSize, shape.TopWidth, false);
        HeadBias = Add("head.bias", shape.OutputSize, 1, true);
        TotalLength = offset;
        _tensors = tensors.ToArray();
        _byName = _tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Every parameter in <c>state_dict</c> order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>Length of the flat parameter vector.</summary>
    public int TotalLength { get; }

    /// <summary>The head's weight, <c>[outputs, directions × hidden]</c>.</summary>
    public ParameterTensor HeadWeight { get; }

    /// <summary>The head's bias, <c>[outputs]</c>.</summary>
    public ParameterTensor HeadBias { get; }

    internal RecurrentParameters[,] Recurrent { get; }

    /// <summary>Finds a parameter by its <c>state_dict</c> name.</summary>
    public bool TryGet(string name, out ParameterTensor tensor) => _byName.TryGetValue(name, out tensor!);
}
