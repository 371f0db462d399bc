using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// One recurrent layer as ONNX's <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> operator: its parameters (PyTorch's, reordered to
/// ONNX's gate order by <see cref="OnnxGateOrder"/>) as constants written once, and nodes that run it — over a whole
/// sequence (the encoder) or one step at a time (a decoder, unrolled).
/// </summary>
internal sealed class RnnOnnxLayer
{
    private readonly RnnNetworkShape _shape;
    private readonly string _name;
    private readonly string _w;
    private readonly string _r;
    private readonly string _b;

    /// <summary>
    /// Writes the constants of layer <paramref name="layer"/> of the stack named <paramref name="prefix"/> (<c>rnn</c>,
    /// <c>decoder</c>) with <paramref name="directions"/> directions over inputs <paramref name="inputWidth"/> wide. A layer
    /// that reads no input (PyTorch's <c>input_size = 0</c>) gets one input column of zero weight instead, which ONNX's
    /// operators can take: the caller feeds it a zero (<see cref="ReadsNothing"/>).
    /// </summary>
    public RnnOnnxLayer(OnnxGraph graph, RnnNetworkShape shape, IReadOnlyDictionary<string, float[]> parameters, string prefix, int layer,
        int directions, int inputWidth)
    {
        _shape = shape;
        _name = $"{prefix}.l{layer}";
        Directions = directions;
        ReadsNothing = inputWidth == 0;
        int hidden = shape.HiddenSize, width = Math.Max(inputWidth, 1);
        int[] blocks = OnnxGateOrder.PyTorchBlocks(shape.Cell);
        int gateRows = blocks.Length * hidden;

        // W [directions, gates·hidden, width], R [directions, gates·hidden, hidden], B [directions, 2·gates·hidden] (Wb ‖ Rb).
        var w = new float[directions * gateRows * width];
        var r = new float[directions * gateRows * hidden];
        var b = new float[directions * 2 * gateRows];
        for (int direction = 0; direction < directions; direction++)
        {
            string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
            if (!ReadsNothing)
                OnnxGateOrder.Reorder(parameters[$"{prefix}.weight_ih{suffix}"], blocks, hidden * width, w.AsSpan(direction * gateRows * width, gateRows * width));
            OnnxGateOrder.Reorder(parameters[$"{prefix}.weight_hh{suffix}"], blocks, hidden * hidden, r.AsSpan(direction * gateRows * hidden, gateRows * hidden));
            OnnxGateOrder.Reorder(parameters[$"{prefix}.bias_ih{suffix}"], blocks, hidden, b.AsSpan(direction * 2 * gateRows, gateRows));
            OnnxGateOrder.Reorder(parameters[$"{prefix}.bias_hh{suffix}"], blocks, hidden, b.AsSpan(direction * 2 * gateRows + gateRows, gateRows));
        }

        _w = graph.Floats(_name + ".W", w, directions, gateRows, width);
        _r = graph.Floats(_name + ".R", r, directions, gateRows, hidden);
        _b = graph.Floats(_name + ".B", b, directions, 2 * gateRows);
    }

    /// <summary>1, or 2 for a bidirectional layer (one node runs both).</summary>
    public int Directions { get; }

    /// <summary>Whether the layer reads no input: its <c>X</c> is then one column of zeros.</summary>
    public bool ReadsNothing { get; }

    /// <summary>
    /// Runs the layer over <paramref name="x"/> (<c>[steps, batch, width]</c>) from the initial states (empty names: zeros);
    /// returns <c>Y [steps, directions, batch, hidden]</c>, <c>Y_h [directions, batch, hidden]</c> and, for LSTM,
    /// <c>Y_c</c> (else null).
    /// </summary>
    public (string Y, string FinalHidden, string? FinalCell) Run(OnnxGraph graph, string x, string lengths, string initialHidden = "", string initialCell = "")
    {
        bool lstm = _shape.Cell == RnnCellType.Lstm;
        string y = graph.Temporary(_name + ".Y"), yh = graph.Temporary(_name + ".Y_h");
        string? yc = lstm ? graph.Temporary(_name + ".Y_c") : null;
        string[] inputs = lstm ? [x, _w, _r, _b, lengths, initialHidden, initialCell] : [x, _w, _r, _b, lengths, initialHidden];
        int given = inputs.Length;
        while (inputs[given - 1].Length == 0)
            given--; // optional inputs left out at the end rather than named empty
        inputs = inputs[..given];
        string op = _shape.Cell switch
        {
            RnnCellType.Rnn => "RNN",
            RnnCellType.Lstm => "LSTM",
            RnnCellType.Gru => "GRU",
            _ => throw RnnOnnxSupport.Refuse($"cell {_shape.Cell}"),
        };
        OnnxNode node = graph.Node(op, inputs, lstm ? [y, yh, yc!] : [y, yh]);
        node.AddAttribute("hidden_size", (long)_shape.HiddenSize);
        node.AddAttribute("direction", Directions == 2 ? "bidirectional" : "forward");
        switch (_shape.Cell)
        {
            case RnnCellType.Rnn:
                // One activation per direction; ONNX spells them Tanh and Relu.
                string activation = _shape.Nonlinearity == RnnNonlinearity.Relu ? "Relu" : "Tanh";
                node.AddAttribute("activations", Enumerable.Repeat(activation, Directions));
                break;
            case RnnCellType.Gru:
                // PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): the reset gate after the recurrent product.
                node.AddAttribute("linear_before_reset", 1L);
                break;
        }

        return (y, yh, yc);
    }
}
