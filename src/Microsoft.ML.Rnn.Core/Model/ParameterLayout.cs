namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// Where each parameter of a network lives in one flat vector, in PyTorch's <c>state_dict</c> order:
/// for each layer, for each direction, <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>; then the
/// head's own (<see cref="OutputHead.Parameters"/>). One flat vector lets the optimizer, gradient clipping and model
/// files treat all parameters as one span.
/// </summary>
internal sealed class ParameterLayout
{
    private readonly ParameterTensor[] _tensors;
    private readonly Dictionary<string, ParameterTensor> _byName;

    /// <summary>Lays out the parameters of <paramref name="shape"/>.</summary>
    public ParameterLayout(RnnNetworkShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        var tensors = new List<ParameterTensor>();
        long offset = 0;
        RecurrentLayers = new RecurrentParameters[shape.EncoderLayers, shape.Directions];
        for (int layer = 0; layer < shape.EncoderLayers; layer++)
        {
            int inputWidth = layer == 0 ? shape.InputSize : shape.TopWidth;
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                RecurrentParameters parameters = RecurrentParameters.Create("rnn", shape, layer, direction, inputWidth, offset);
                RecurrentLayers[layer, direction] = parameters;
                tensors.AddRange(parameters.Tensors);
                offset += parameters.Length;
            }
        }

        long headOffset = offset;
        foreach (ParameterTensor tensor in RnnHeads.Create(shape).Parameters)
        {
            tensors.Add(tensor with { Offset = headOffset + tensor.Offset });
            offset += tensor.Length;
        }

        // Validate refused any shape whose parameters do not fit one array, so both fit an int.
        HeadOffset = checked((int)headOffset);
        TotalLength = checked((int)offset);
        _tensors = tensors.ToArray();
        _byName = _tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Every parameter in <c>state_dict</c> order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>Length of the flat parameter vector.</summary>
    public int TotalLength { get; }

    /// <summary>Where the head's parameters start: the head's passes get the vector from here on.</summary>
    public int HeadOffset { get; }

    /// <summary>The four parameters of each layer and direction of the stack over the input sequence (none for 1 vs N).</summary>
    public RecurrentParameters[,] RecurrentLayers { get; }

    /// <summary>Finds a parameter by its <c>state_dict</c> name.</summary>
    public bool TryGet(string name, out ParameterTensor tensor) => _byName.TryGetValue(name, out tensor!);
}
