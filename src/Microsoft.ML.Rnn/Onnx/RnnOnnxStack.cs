using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>What the recurrent stack over the input hands the head.</summary>
/// <param name="Steps">Every step's top-layer output, <c>[steps, directions, batch, hidden]</c> (ONNX's <c>Y</c>).</param>
/// <param name="FinalState">The top layer's final states, <c>[directions, batch, hidden]</c> (ONNX's <c>Y_h</c>): forward after
/// each sequence's last step, backward after step 0, as the N vs 1 head reads them.</param>
/// <param name="LayerFinalHidden">Every layer's <c>Y_h</c>, bottom first.</param>
/// <param name="LayerFinalCell">Every layer's <c>Y_c</c> (LSTM), else empty.</param>
internal readonly record struct RnnOnnxStackOutput(string Steps, string FinalState, string[] LayerFinalHidden, string[] LayerFinalCell);

/// <summary>
/// The recurrent layers over the input as one ONNX <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> node each (both directions in one
/// node; <see cref="RnnOnnxLayer"/>). Between layers the node's <c>Y [steps, directions, batch, hidden]</c> becomes the
/// next layer's <c>X [steps, batch, directions·hidden]</c>, forward ‖ backward as in <see cref="RnnNetwork"/>. Dropout
/// applies during training only, so it has no node.
/// </summary>
internal static class RnnOnnxStack
{
    /// <summary>Writes the layers over <paramref name="input"/>.</summary>
    public static RnnOnnxStackOutput Write(OnnxGraph graph, RnnNetwork network, RnnOnnxInput input)
    {
        RnnNetworkShape shape = network.Shape;
        IReadOnlyDictionary<string, float[]> parameters = network.ExportParameters();
        string layerInput = input.Sequence, steps = "", final = "";
        var finalHidden = new List<string>();
        var finalCell = new List<string>();
        for (int layer = 0; layer < shape.NumberOfLayers; layer++)
        {
            if (layer > 0)
                layerInput = graph.Reshape(graph.Transpose(steps, 0, 2, 1, 3), 0, 0, -1);
            int inputWidth = layer == 0 ? shape.InputSize : shape.TopWidth;
            var recurrent = new RnnOnnxLayer(graph, shape, parameters, "rnn", layer, shape.Directions, inputWidth);
            (steps, final, string? cell) = recurrent.Run(graph, layerInput, input.Lengths);
            finalHidden.Add(final);
            if (cell is not null)
                finalCell.Add(cell);
        }

        return new RnnOnnxStackOutput(steps, final, [.. finalHidden], [.. finalCell]);
    }
}
