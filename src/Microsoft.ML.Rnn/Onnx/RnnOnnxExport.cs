using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Writes a trained RNN into the ONNX graph ML.NET's converter is building (<c>mlContext.Model.ConvertToOnnx</c>, package
/// Microsoft.ML.OnnxConverter), called through the row mapper's <see cref="ISaveAsOnnx"/>: input → recurrent stack → head
/// and output columns. docs/onnx.md describes the graph and what is supported.
/// </summary>
internal static class RnnOnnxExport
{
    /// <summary>Adds the model's nodes to <paramref name="context"/>, binding its output columns
    /// (<paramref name="columns"/>, as the mapper declares them) to their ONNX values.</summary>
    /// <exception cref="NotSupportedException">The model has a head, cell or option the export cannot write exactly; nothing
    /// has been added to the graph.</exception>
    public static void Save(OnnxContext context, RnnModelData model, IReadOnlyList<DataViewSchema.DetachedColumn> columns)
    {
        RnnOnnxSupport.ThrowIfUnsupported(model.Network.Shape, model.Options.Task);
        var graph = new OnnxGraph(context);
        RnnOnnxInput input = RnnOnnxInput.Write(graph, model);
        RnnOnnxHead.Write(graph, model, input, columns);
    }
}
