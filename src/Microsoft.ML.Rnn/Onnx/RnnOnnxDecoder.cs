using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The decoder of 1 vs N and N vs M, unrolled: M is fixed, so each of its steps is one single-step <c>RNN</c>/<c>LSTM</c>/<c>GRU</c>
/// node per layer (the parameters written once, <see cref="RnnOnnxLayer"/>), each starting from the states the step before
/// it ended with, and the head (<c>MatMul</c> + <c>Add</c>) on the top layer's output. The inputs of a step are as in
/// <c>DecoderHead</c>: [context | the row's vector, the previous output fed back]; attention is Luong's "general" score
/// (<c>MatMul</c>, <c>Softmax</c>, <c>MatMul</c>), over all of the call's steps (every row of a tensor has the same length);
/// the previous output is fed back as scoring does (free running): the value, the 0/1 decision (<c>Greater</c>) or the
/// one-hot arg-max class (<c>ArgMax</c>, <c>OneHot</c>).
/// </summary>
internal static class RnnOnnxDecoder
{
    /// <summary>Writes the decoder and returns the raw outputs, <c>[batch, M, outputs]</c>.</summary>
    public static string Write(OnnxGraph graph, RnnNetwork network, RnnOnnxInput input, RnnOnnxStackOutput? encoder)
    {
        RnnNetworkShape shape = network.Shape;
        IReadOnlyDictionary<string, float[]> parameters = network.ExportParameters();
        int hidden = shape.HiddenSize, outputs = shape.OutputSize, layers = shape.NumberOfLayers;
        bool everyStep = shape.DecoderInput != RnnDecoderInput.InitialState, readsInitialState = shape.DecoderInput != RnnDecoderInput.EveryStep;
        int feedbackWidth = shape.OutputFeedback == RnnOutputFeedback.None ? 0 : outputs;
        var zeros = new Zeros(graph, input.Batch);

        // What the decoder reads: a context (N vs M) or the row's vector (1 vs N), and where it starts.
        string? context = null, vector = null, keys = null, encoderSteps = null;
        int partWidth = 0;
        string[] hidden0 = new string[layers], cell0 = new string[layers];
        Array.Fill(hidden0, "");
        Array.Fill(cell0, "");
        if (encoder is { } stack)
        {
            string topFinal = graph.Reshape(graph.Transpose(stack.FinalState, 1, 0, 2), 0, -1); // [batch, directions·hidden]
            switch (shape.Context)
            {
                case RnnContext.LastState:
                    context = topFinal;
                    partWidth = everyStep ? shape.TopWidth : 0;
                    break;
                case RnnContext.Projected:
                    string projected = graph.Apply("Gemm", [topFinal, graph.Floats("context.weight", parameters["context.weight"], hidden, shape.TopWidth),
                        graph.Floats("context.bias", parameters["context.bias"], hidden)], node => node.AddAttribute("transB", 1L));
                    context = graph.Apply("Tanh", projected);
                    partWidth = everyStep ? hidden : 0;
                    break;
                default:
                    // h_s: [steps, directions, batch, hidden] → [batch, steps, directions·hidden]; keys W_a h_s: [batch, steps, hidden].
                    encoderSteps = graph.Reshape(graph.Transpose(stack.Steps, 2, 0, 1, 3), 0, 0, -1);
                    keys = graph.Apply("MatMul", encoderSteps, graph.Floats("attention.weight_t", Transposed(parameters["attention.weight"], hidden, shape.TopWidth),
                        shape.TopWidth, hidden));
                    partWidth = shape.TopWidth;
                    break;
            }

            if (readsInitialState)
                for (int layer = 0; layer < layers; layer++)
                {
                    if (shape.Context == RnnContext.Projected)
                        hidden0[layer] = graph.Reshape(context!, 1, -1, hidden);
                    else
                    {
                        hidden0[layer] = stack.LayerFinalHidden[layer];
                        if (shape.Cell == RnnCellType.Lstm)
                            cell0[layer] = stack.LayerFinalCell[layer];
                    }
                }
        }
        else
        {
            vector = graph.Reshape(input.Sequence, -1, shape.InputSize); // one step: [1, batch, features] → [batch, features]
            partWidth = shape.InputSize;
        }

        var decoder = new RnnOnnxLayer[layers];
        string prefix = encoder is null ? "rnn" : "decoder";
        for (int layer = 0; layer < layers; layer++)
            decoder[layer] = new RnnOnnxLayer(graph, shape, parameters, prefix, layer, directions: 1, layer == 0 ? partWidth + feedbackWidth : hidden);
        string headWeight = graph.Floats("head.weight_t", Transposed(parameters["head.weight"], outputs, hidden), hidden, outputs);
        string headBias = graph.Floats("head.bias", parameters["head.bias"], outputs);

        var stepOutputs = new string[shape.OutputLength];
        string? previous = null;
        string[] h = hidden0, c = cell0;
        for (int t = 0; t < shape.OutputLength; t++)
        {
            var parts = new List<string>();
            if (keys is not null)
            {
                // s_{t−1}: the top layer's state before this step (zeros when the decoder starts from zeros).
                string state = h[layers - 1].Length > 0 ? graph.Reshape(h[layers - 1], -1, hidden, 1) : graph.Reshape(zeros.Of(hidden), -1, hidden, 1);
                string scores = graph.Apply("MatMul", keys, state); // [batch, steps, 1]
                string weights = graph.Apply("Softmax", [scores], node => node.AddAttribute("axis", 1L));
                string weighted = graph.Apply("MatMul", graph.Transpose(weights, 0, 2, 1), encoderSteps!); // [batch, 1, width]
                parts.Add(graph.Reshape(weighted, 0, -1));
            }
            else if (context is not null && everyStep)
                parts.Add(context);
            else if (vector is not null)
                parts.Add(everyStep || t == 0 ? vector : zeros.Of(shape.InputSize));

            if (feedbackWidth > 0)
                parts.Add(previous is null ? zeros.Of(outputs) : FedBack(graph, shape, previous));

            string x = decoder[0].ReadsNothing ? zeros.Of(1)
                : parts.Count == 1 ? parts[0]
                : graph.Apply("Concat", [.. parts], node => node.AddAttribute("axis", 1L));
            x = graph.Reshape(x, 1, -1, decoder[0].ReadsNothing ? 1 : partWidth + feedbackWidth); // one step: [1, batch, width]

            var nextHidden = new string[layers];
            var nextCell = new string[layers];
            for (int layer = 0; layer < layers; layer++)
            {
                (_, string finalHidden, string? finalCell) = decoder[layer].Run(graph, x, "", h[layer], c[layer]);
                nextHidden[layer] = finalHidden; // [1, batch, hidden]: also the next layer's one-step input
                nextCell[layer] = finalCell ?? "";
                x = finalHidden;
            }

            (h, c) = (nextHidden, nextCell);
            previous = graph.Apply("Add", graph.Apply("MatMul", graph.Reshape(x, -1, hidden), headWeight), headBias); // [batch, outputs]
            stepOutputs[t] = graph.Reshape(previous, 0, 1, outputs);
        }

        return stepOutputs.Length == 1 ? stepOutputs[0] : graph.Apply("Concat", stepOutputs, node => node.AddAttribute("axis", 1L));
    }

    /// <summary>What the decoder feeds back of its previous <paramref name="output"/> (<c>[batch, outputs]</c>) when scoring.</summary>
    private static string FedBack(OnnxGraph graph, RnnNetworkShape shape, string output) => shape.OutputFeedback switch
    {
        RnnOutputFeedback.Value => output,
        RnnOutputFeedback.Decision => graph.Apply("Cast", [graph.Apply("Greater", output, graph.Floats("zero", [0f], 1))],
            node => node.AddAttribute("to", OnnxGraph.FloatType)),
        // ArgMax keeps the first maximum on ties, as the core does.
        _ => graph.Apply("OneHot", [graph.Apply("ArgMax", [output], node => { node.AddAttribute("axis", 1L); node.AddAttribute("keepdims", 0L); }),
            graph.Longs("classes", shape.OutputSize), graph.Floats("one_hot_values", [0f, 1f], 2)], node => node.AddAttribute("axis", -1L)),
    };

    /// <summary><c>[rows, columns]</c> → <c>[columns, rows]</c>, for a <c>MatMul</c> by <c>Wᵀ</c>.</summary>
    private static float[] Transposed(float[] weight, int rows, int columns)
    {
        var transposed = new float[weight.Length];
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < columns; col++)
                transposed[col * rows + r] = weight[r * columns + col];
        return transposed;
    }

    /// <summary>Zeros of <c>[batch, width]</c>, the batch known only at run time (<c>Expand</c> of a constant row).</summary>
    private sealed class Zeros(OnnxGraph graph, string batch)
    {
        private readonly Dictionary<int, string> _byWidth = [];

        public string Of(int width)
        {
            if (!_byWidth.TryGetValue(width, out string? zeros))
            {
                string shape = graph.Apply("Concat", [batch, graph.Longs("width", width)], node => node.AddAttribute("axis", 0L));
                zeros = graph.Apply("Expand", graph.Floats("zeros", new float[width], 1, width), shape);
                _byWidth[width] = zeros;
            }

            return zeros;
        }
    }
}
