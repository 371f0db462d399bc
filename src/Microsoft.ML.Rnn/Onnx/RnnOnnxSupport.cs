using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// What the ONNX export can write exactly, checked before anything is added to the graph. Anything else is refused
/// with a <see cref="NotSupportedException"/> naming it: the export never writes a file that computes something other
/// than <see cref="RnnTransformer"/>.
/// </summary>
/// <remarks>To support a new head, give it a case in <see cref="RnnOnnxHead"/> and add it to <see cref="ExportedHeads"/>;
/// a new cell needs its ONNX operator and gate order in <see cref="OnnxGateOrder"/> and <see cref="RnnOnnxStack"/>.</remarks>
internal static class RnnOnnxSupport
{
    /// <summary>The heads whose graph <see cref="RnnOnnxHead"/> writes.</summary>
    public static readonly IReadOnlySet<RnnHead> ExportedHeads = new HashSet<RnnHead> { RnnHead.ManyToOne, RnnHead.ManyToMany, RnnHead.OneToMany, RnnHead.EncoderDecoder };

    /// <summary>The cells ONNX has an operator for with the same equations (<c>RNN</c>, <c>LSTM</c>, <c>GRU</c>).</summary>
    public static readonly IReadOnlySet<RnnCellType> ExportedCells = new HashSet<RnnCellType> { RnnCellType.Rnn, RnnCellType.Lstm, RnnCellType.Gru };

    /// <summary>Throws a <see cref="NotSupportedException"/> naming the first part of a model of <paramref name="shape"/> trained
    /// for <paramref name="task"/> that the export cannot write.</summary>
    public static void ThrowIfUnsupported(RnnNetworkShape shape, RnnTask task)
    {
        // A distribution's columns need softplus and per-row quantiles (the Student-t's depend on each row's ν) that the
        // export does not write; exporting Score alone would drop the intervals silently.
        if (shape.Distribution != RnnDistribution.None)
            throw Refuse($"distribution {shape.Distribution} (the StandardDeviation, LowerBound and UpperBound columns of a probabilistic forecast; train with Distribution None to export)");
        if (!ExportedHeads.Contains(shape.Head))
            throw Refuse($"head {shape.Head}");
        if (!ExportedCells.Contains(shape.Cell))
            throw Refuse($"cell {shape.Cell}");
        if (shape.Cell == RnnCellType.Rnn && shape.Nonlinearity is not (RnnNonlinearity.Tanh or RnnNonlinearity.Relu))
            throw Refuse($"nonlinearity {shape.Nonlinearity}");
        if (!Enum.IsDefined(task))
            throw Refuse($"task {task}");
    }

    /// <summary>The exception for a part of the model ONNX export cannot write; <paramref name="what"/> names it ("head OneToMany").</summary>
    public static NotSupportedException Refuse(string what) =>
        new($"ONNX export of the RNN transformer does not support {what}: it writes {string.Join(" and ", ExportedHeads)} heads " +
            $"of {string.Join(", ", ExportedCells)} cells, and refuses anything it cannot express exactly rather than write a file that computes something else.");
}
