using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Rnn;

/// <summary>
/// A thin writer over ML.NET's <see cref="OnnxContext"/> for the nodes the RNN export adds: standard-domain operators,
/// constants, and intermediate values under one prefix so that they never take the name of a data-view column.
/// </summary>
/// <remarks>Only operators whose definition is the same from opset 9 to the newest are used (no <c>Unsqueeze</c>,
/// <c>Squeeze</c> or <c>Reduce*</c>, whose axes moved from attribute to input), so the file means the same whichever opset
/// the converter writes (ML.NET's converter writes at most 12) and after an upgrade of its opset.</remarks>
internal sealed class OnnxGraph
{
    // The ONNX standard domain; the context's default is ai.onnx.ml.
    private const string StandardDomain = "";
    private const string Prefix = "Rnn.";

    /// <summary>ONNX <c>TensorProto.DataType</c> codes used by <c>Cast</c>.</summary>
    public const long FloatType = 1, Int32Type = 6, UInt32Type = 12;

    /// <summary>Writes into <paramref name="context"/>.</summary>
    public OnnxGraph(OnnxContext context) => Context = context;

    /// <summary>The converter's context.</summary>
    public OnnxContext Context { get; }

    /// <summary>A new intermediate value named after <paramref name="hint"/>; its type and shape are left to the runtime.</summary>
    public string Temporary(string hint) => Context.AddIntermediateVariable(null, Prefix + hint, skip: true);

    /// <summary>Adds a standard operator reading <paramref name="inputs"/> (an empty name skips an optional input) and writing <paramref name="outputs"/>.</summary>
    public OnnxNode Node(string op, string[] inputs, string[] outputs) =>
        Context.CreateNode(op, inputs, outputs, Context.GetNodeName(Prefix + op), StandardDomain);

    /// <summary>Adds a one-output operator into a new intermediate value and returns its name.</summary>
    public string Apply(string op, params string[] inputs) => Apply(op, inputs, configure: null);

    /// <summary>Adds a one-output operator, lets <paramref name="configure"/> set its attributes, and returns its output's name.</summary>
    public string Apply(string op, string[] inputs, Action<OnnxNode>? configure)
    {
        string output = Temporary(op);
        OnnxNode node = Node(op, inputs, [output]);
        configure?.Invoke(node);
        return output;
    }

    /// <summary>A float tensor constant of shape <paramref name="dims"/> (row-major <paramref name="values"/>).</summary>
    public string Floats(string hint, float[] values, params long[] dims) => Context.AddInitializer(values, dims, Prefix + hint);

    /// <summary>A 1-D int64 constant (shapes, axes, indices).</summary>
    public string Longs(string hint, params long[] values) => Context.AddInitializer(values, [values.Length], Prefix + hint);

    /// <summary>An int64 scalar constant.</summary>
    public string Long(string hint, long value) => Context.AddInitializer(value, Prefix + hint);

    /// <summary><c>Reshape</c> to <paramref name="shape"/> (0 keeps a dimension, -1 infers one).</summary>
    public string Reshape(string input, params long[] shape) => Apply("Reshape", input, Longs("shape", shape));

    /// <summary><c>Transpose</c> with permutation <paramref name="perm"/>.</summary>
    public string Transpose(string input, params long[] perm) =>
        Apply("Transpose", [input], node => node.AddAttribute("perm", perm));
}
