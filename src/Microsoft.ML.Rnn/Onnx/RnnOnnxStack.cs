using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>What the recurrent stack hands the head.</summary>
/// <param name="Steps">Every step's top-layer output, <c>[steps, directions, batch, hidden]</c> (ONNX's <c>Y</c>).</param>
/// <param name="FinalState">The top layer's final states, <c>[directions, batch, hidden]</c> (ONNX's <c>Y_h</c>): forward after
/// each sequence's last step, backward after step 0, as the N vs 1 head reads them.</param>
internal readonly record struct RnnOnnxStackOutput(string Steps, string FinalState);

/// <summary>
/// The recurrent layers as one ONNX <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> node each (both directions in one node), with
/// PyTorch's parameters reordered to ONNX's gate order (<see cref="OnnxGateOrder"/>). Between layers the node's
/// <c>Y [steps, directions, batch, hidden]</c> becomes the next layer's <c>X [steps, batch, directions·hidden]</c>,
/// forward ‖ backward as in <see cref="RnnNetwork"/>. Dropout applies during training only, so it has no node.
/// </summary>
internal static class RnnOnnxStack
{
    /// <summary>Writes the layers over <paramref name="input"/>.</summary>
    public static RnnOnnxStackOutput Write(OnnxGraph graph, RnnNetwork network, RnnOnnxInput input)
    {
        RnnNetworkShape shape = network.Shape;
        IReadOnlyDictionary<string, float[]> parameters = network.ExportParameters();
        string layerInput = input.Sequence;
        RnnOnnxStackOutput output = default;
        for (int layer = 0; layer < shape.NumberOfLayers; layer++)
        {
            if (layer > 0)
                layerInput = graph.Reshape(graph.Transpose(output.Steps, 0, 2, 1, 3), 0, 0, -1);
            output = WriteLayer(graph, shape, parameters, layer, layerInput, input.Lengths);
        }

        return output;
    }

    private static RnnOnnxStackOutput WriteLayer(OnnxGraph graph, RnnNetworkShape shape, IReadOnlyDictionary<string, float[]> parameters,
        int layer, string layerInput, string lengths)
    {
        int hidden = shape.HiddenSize, directions = shape.Directions, inputWidth = layer == 0 ? shape.InputSize : shape.TopWidth;
        int[] blocks = OnnxGateOrder.PyTorchBlocks(shape.Cell);
        int gateRows = blocks.Length * hidden;

        // W [directions, gates·hidden, width], R [directions, gates·hidden, hidden], B [directions, 2·gates·hidden] (Wb ‖ Rb).
        var w = new float[directions * gateRows * inputWidth];
        var r = new float[directions * gateRows * hidden];
        var b = new float[directions * 2 * gateRows];
        for (int direction = 0; direction < directions; direction++)
        {
            string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
            OnnxGateOrder.Reorder(parameters["rnn.weight_ih" + suffix], blocks, hidden * inputWidth, w.AsSpan(direction * gateRows * inputWidth, gateRows * inputWidth));
            OnnxGateOrder.Reorder(parameters["rnn.weight_hh" + suffix], blocks, hidden * hidden, r.AsSpan(direction * gateRows * hidden, gateRows * hidden));
            OnnxGateOrder.Reorder(parameters["rnn.bias_ih" + suffix], blocks, hidden, b.AsSpan(direction * 2 * gateRows, gateRows));
            OnnxGateOrder.Reorder(parameters["rnn.bias_hh" + suffix], blocks, hidden, b.AsSpan(direction * 2 * gateRows + gateRows, gateRows));
        }

        string name = $"l{layer}";
        string[] inputs =
        [
            layerInput,
            graph.Floats(name + ".W", w, directions, gateRows, inputWidth),
            graph.Floats(name + ".R", r, directions, gateRows, hidden),
            graph.Floats(name + ".B", b, directions, 2 * gateRows),
            lengths,
        ];
        var output = new RnnOnnxStackOutput(graph.Temporary(name + ".Y"), graph.Temporary(name + ".Y_h"));
        string op = shape.Cell switch
        {
            RnnCellType.Rnn => "RNN",
            RnnCellType.Lstm => "LSTM",
            RnnCellType.Gru => "GRU",
            _ => throw RnnOnnxSupport.Refuse($"cell {shape.Cell}"),
        };
        OnnxNode node = graph.Node(op, inputs, [output.Steps, output.FinalState]);
        node.AddAttribute("hidden_size", (long)hidden);
        node.AddAttribute("direction", shape.Bidirectional ? "bidirectional" : "forward");
        switch (shape.Cell)
        {
            case RnnCellType.Rnn:
                // One activation per direction; ONNX spells them Tanh and Relu.
                string activation = shape.Nonlinearity == RnnNonlinearity.Relu ? "Relu" : "Tanh";
                node.AddAttribute("activations", Enumerable.Repeat(activation, directions));
                break;
            case RnnCellType.Gru:
                // PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): the reset gate after the recurrent product.
                node.AddAttribute("linear_before_reset", 1L);
                break;
        }

        return output;
    }
}
