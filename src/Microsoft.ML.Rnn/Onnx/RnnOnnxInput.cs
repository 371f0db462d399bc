namespace Microsoft.ML.Rnn;

/// <summary>
/// The sequence as ONNX's recurrent operators take it: <c>X [steps, batch, features]</c> (layout 0) and
/// <c>sequence_lens [batch]</c> (int32).
/// </summary>
/// <param name="Sequence">The name of <c>X</c>.</param>
/// <param name="Lengths">The name of <c>sequence_lens</c>.</param>
/// <param name="Batch">The batch size, a one-element int64 tensor (for shapes built at run time).</param>
internal readonly record struct RnnOnnxInput(string Sequence, string Lengths, string Batch)
{
    /// <summary>
    /// Reads the feature column (<c>[batch, steps·features]</c>, step-major as <see cref="RnnTransformer"/> reads it) or
    /// the series columns (each <c>[batch, steps]</c>, one feature per step, interleaved in column order).
    /// </summary>
    /// <remarks>Every row of a tensor has as many values as the tensor is wide, so each row's length is that width over
    /// the features per step: a variable-length column runs exactly as <see cref="RnnTransformer"/> scores it when rows
    /// of one length share a call (ML.NET's <c>ApplyOnnxModel</c> runs one row at a time). A row whose length is not a
    /// multiple of the features per step fails in the runtime's <c>Reshape</c>, where <see cref="RnnTransformer"/> scores
    /// NaN: an error, never a different number.</remarks>
    public static RnnOnnxInput Write(OnnxGraph graph, RnnModelData model)
    {
        string batchFirst;
        if (!model.IsSeries)
        {
            batchFirst = graph.Reshape(Variable(graph, model.FeatureColumns[0]), 0, -1, model.InputSize);
        }
        else
        {
            // One feature per step in each column: [batch, steps] → [batch, steps, 1], side by side on the last axis.
            string[] columns = model.FeatureColumns.Select(name => graph.Reshape(Variable(graph, name), 0, -1, 1)).ToArray();
            batchFirst = graph.Apply("Concat", columns, node => node.AddAttribute("axis", 2L));
        }

        string sequence = graph.Transpose(batchFirst, 1, 0, 2);

        // sequence_lens: every row of the tensor is Shape(X)[0] steps long.
        string shape = graph.Apply("Shape", sequence);
        string steps = graph.Apply("Gather", [shape, graph.Longs("steps_axis", 0)], node => node.AddAttribute("axis", 0L));
        string batch = graph.Apply("Gather", [shape, graph.Longs("batch_axis", 1)], node => node.AddAttribute("axis", 0L));
        string lengths64 = graph.Apply("Expand", steps, batch);
        string lengths = graph.Apply("Cast", [lengths64], node => node.AddAttribute("to", OnnxGraph.Int32Type));
        return new RnnOnnxInput(sequence, lengths, batch);
    }

    private static string Variable(OnnxGraph graph, string column)
    {
        if (!graph.Context.ContainsColumn(column))
        {
            throw RnnOnnxSupport.Refuse(
                $"a pipeline in which column '{column}' has no ONNX value (a transform before the RNN could not be exported)");
        }

        return graph.Context.GetVariableName(column);
    }
}
