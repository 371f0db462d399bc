namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One recurrent cell's equations, applied to a whole batch one time step at a time, forward and backward.
/// </summary>
/// <remarks>
/// Static abstract members, as the GEMM micro-kernels: <see cref="RecurrentDirection{TCell}"/> is generic over a
/// struct cell, so the JIT compiles each cell's time loop with its kernels inlined and its flags folded. The input
/// projection <c>W_ih x + b_ih</c> of every step is hoisted out of the time loop and arrives in the step's gates
/// (PyTorch's <c>pre_compute_input</c>). A new cell is a struct implementing this interface plus one line in
/// <see cref="RecurrentCells"/>.
/// </remarks>
internal interface IRecurrentCell
{
    /// <summary>Gate blocks in <c>W_ih</c>, <c>W_hh</c> and the biases (PyTorch's order), each hidden-size rows.</summary>
    static abstract int GateCount { get; }

    /// <summary>Whether the cell carries a cell state beside <c>h</c> (LSTM's <c>c</c>).</summary>
    static abstract bool HasCellState { get; }

    /// <summary>
    /// Whether the cell needs the recurrent product <c>W_hh h + b_hh</c> apart from the input one (GRU: the reset
    /// gate scales it). Then the forward pass keeps it for every step and adds <c>b_hh</c> to it, and the backward
    /// pass gives it a gradient of its own; otherwise <c>b_hh</c> joins the hoisted input projection and the two
    /// products share one gradient.
    /// </summary>
    static abstract bool KeepsRecurrentProduct { get; }

    /// <summary>One step forward: gate activations into <see cref="CellStep.Gates"/>, the new state into <see cref="CellStep.H"/>.</summary>
    static abstract void Forward(ref CellStep step);

    /// <summary>One step backward: gradients of the pre-activations and the direct part of <c>dh_prev</c>.</summary>
    static abstract void Backward(ref CellGradientStep step);
}
