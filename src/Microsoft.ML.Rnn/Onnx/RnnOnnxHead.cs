using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// The head and the output columns: the linear layer (<c>Gemm</c> on the final state for N vs 1, <c>MatMul</c> + <c>Add</c>
/// on every step for N vs N, the unrolled decoder for 1 vs N and N vs M: <see cref="RnnOnnxDecoder"/>), the label's units back for a standardised regression label, then the columns
/// <see cref="RnnTransformer"/> adds (<see cref="RnnOutputColumns"/>), with the same shapes: regression <c>Score</c>;
/// binary <c>Score</c> (logit), <c>Probability</c> (<c>Sigmoid</c>), <c>PredictedLabel</c> (logit &gt; 0); multiclass
/// <c>Score</c> (<c>Softmax</c> per step) and <c>PredictedLabel</c> (the key: 1 + <c>ArgMax</c>, 0 when the scores are NaN).
/// </summary>
internal static class RnnOnnxHead
{
    /// <summary>Writes the recurrent stack over <paramref name="input"/>, the head over it, and binds each of <paramref name="columns"/> to its ONNX value.</summary>
    public static void Write(OnnxGraph graph, RnnModelData model, RnnOnnxInput input, IReadOnlyList<DataViewSchema.DetachedColumn> columns)
    {
        RnnNetworkShape shape = model.Network.Shape;
        IReadOnlyDictionary<string, float[]> parameters = model.Network.ExportParameters();
        float[] weight = parameters["head.weight"], bias = parameters["head.bias"];
        int outputs = shape.OutputSize, width = shape.TopWidth;

        // raw: [batch, outputs] (N vs 1), [batch, steps, outputs] (N vs N) or [batch, M, outputs] (1 vs N, N vs M).
        RnnOnnxStackOutput? stack = shape.Head == RnnHead.OneToMany ? null : RnnOnnxStack.Write(graph, model.Network, input);
        string raw = shape.Head switch
        {
            RnnHead.ManyToOne => OnFinalState(graph, stack!.Value, weight, bias, outputs, width),
            RnnHead.ManyToMany => OnEverySteps(graph, stack!.Value, weight, bias, outputs, width),
            RnnHead.OneToMany or RnnHead.EncoderDecoder => RnnOnnxDecoder.Write(graph, model.Network, input, stack),
            _ => throw RnnOnnxSupport.Refuse($"head {shape.Head}"),
        };

        if (model.LabelStandardization is { } standardization)
        {
            raw = graph.Apply("Mul", raw, graph.Floats("label_std", standardization.StandardDeviation, outputs));
            raw = graph.Apply("Add", raw, graph.Floats("label_mean", standardization.Mean, outputs));
        }

        switch (model.Options.Task)
        {
            case RnnTask.Regression:
                Bind(graph, columns, RnnOutputColumns.Score, Flatten(graph, raw));
                break;
            case RnnTask.BinaryClassification:
                string logits = Flatten(graph, raw); // one output per step: [batch, 1] or [batch, steps]
                Bind(graph, columns, RnnOutputColumns.Score, logits);
                Bind(graph, columns, RnnOutputColumns.Probability, graph.Apply("Sigmoid", logits));
                Bind(graph, columns, RnnOutputColumns.PredictedLabel, graph.Apply("Greater", logits, graph.Floats("zero", [0f], 1)));
                break;
            case RnnTask.MulticlassClassification:
                // Softmax over the last axis (before opset 13 it flattens to 2-D at the axis, which for the last axis is the same).
                string probabilities = graph.Apply("Softmax", [raw], node => node.AddAttribute("axis", -1L));
                Bind(graph, columns, RnnOutputColumns.Score, Flatten(graph, probabilities));
                Bind(graph, columns, RnnOutputColumns.PredictedLabel, PredictedKey(graph, probabilities, outputs));
                break;
            default:
                throw RnnOnnxSupport.Refuse($"task {model.Options.Task}");
        }
    }

    private static string OnFinalState(OnnxGraph graph, RnnOnnxStackOutput stack, float[] weight, float[] bias, int outputs, int width)
    {
        // [directions, batch, hidden] → [batch, directions·hidden], forward ‖ backward.
        string final = graph.Reshape(graph.Transpose(stack.FinalState, 1, 0, 2), 0, -1);
        return graph.Apply("Gemm", [final, graph.Floats("head.weight", weight, outputs, width), graph.Floats("head.bias", bias, outputs)],
            node => node.AddAttribute("transB", 1L));
    }

    private static string OnEverySteps(OnnxGraph graph, RnnOnnxStackOutput stack, float[] weight, float[] bias, int outputs, int width)
    {
        // [steps, directions, batch, hidden] → [batch, steps, directions·hidden]; then x Wᵀ + b on every step.
        string steps = graph.Reshape(graph.Transpose(stack.Steps, 2, 0, 1, 3), 0, 0, -1);
        var transposed = new float[width * outputs];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < width; i++)
                transposed[i * outputs + o] = weight[o * width + i];
        string product = graph.Apply("MatMul", steps, graph.Floats("head.weight_t", transposed, width, outputs));
        return graph.Apply("Add", product, graph.Floats("head.bias", bias, outputs));
    }

    /// <summary><c>[batch, …]</c> → <c>[batch, n]</c>: a scalar column is <c>[batch, 1]</c> in ML.NET's ONNX, a vector <c>[batch, size]</c>.</summary>
    private static string Flatten(OnnxGraph graph, string value) => graph.Reshape(value, 0, -1);

    private static string PredictedKey(OnnxGraph graph, string probabilities, int outputs)
    {
        // ArgMax takes the first of equal maxima, as the scorer does; keys are 1-based, 0 is the scorer's key for NaN scores.
        string argMax = graph.Apply("ArgMax", [probabilities], node =>
        {
            node.AddAttribute("axis", -1L);
            node.AddAttribute("keepdims", 1L);
        });
        string key = graph.Apply("Add", argMax, graph.Long("one", 1));
        // A row's sum is NaN when any score is (a product with ones: ReduceSum's axes moved between opsets).
        string sum = graph.Apply("MatMul", probabilities, graph.Floats("ones", Enumerable.Repeat(1f, outputs).ToArray(), outputs, 1));
        string missing = graph.Apply("Where", graph.Apply("IsNaN", sum), graph.Long("missing_key", 0), key);
        return Flatten(graph, graph.Apply("Cast", [missing], node => node.AddAttribute("to", OnnxGraph.UInt32Type)));
    }

    /// <summary>Makes <paramref name="value"/> the ONNX value of output column <paramref name="name"/> (as its own node, so the
    /// column's value has the column's type declared).</summary>
    private static void Bind(OnnxGraph graph, IReadOnlyList<DataViewSchema.DetachedColumn> columns, string name, string value)
    {
        DataViewSchema.DetachedColumn column = columns.Single(c => c.Name == name);
        string variable = graph.Context.AddIntermediateVariable(column.Type, column.Name);
        graph.Node("Identity", [value], [variable]);
    }
}
