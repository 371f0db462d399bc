using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The part of a network above the recurrent stack that turns its outputs into the model's outputs. A head owns its
/// parameters (names and shapes), its output structure and its forward and backward passes; outputs and their
/// gradients are batch-first, as the caller sees them. Each block of a batch runs its own instance (heads may keep
/// buffers). A new head is a subclass plus its line in <see cref="RnnHeads"/>.
/// </summary>
internal abstract class OutputHead
{
    protected OutputHead(RnnNetworkShape shape)
    {
        Shape = shape;
    }

    protected RnnNetworkShape Shape { get; }

    /// <summary>How the outputs line up with a sequence's steps.</summary>
    public abstract HeadStructure Structure { get; }

    /// <summary>
    /// The head's parameters in <c>state_dict</c> order, with offsets relative to the first of them: they follow the
    /// recurrent stack's in the network's flat vector, and the passes below get that tail of it.
    /// </summary>
    public abstract IReadOnlyList<ParameterTensor> Parameters { get; }

    /// <summary>What the head reads of the stack: its backward pass gives the gradients of these parts only.</summary>
    public abstract StackReads Reads { get; }

    /// <summary>Output values for a batch of <paramref name="batch"/> sequences padded to <paramref name="steps"/> steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OutputLength(int batch, int steps) => batch * Structure.OutputSteps(steps) * Shape.OutputWidth;

    /// <summary>
    /// Writes the outputs, <c>[batch, output steps, outputs]</c>, from the head's <paramref name="parameters"/>.
    /// <paramref name="targets"/> are the rows' training targets (as the loss takes them) for a decoder that feeds back
    /// its previous output (teacher forcing), or empty (it feeds back its own). <paramref name="cancellation"/> is checked
    /// inside its products (over all steps, they can be large). A <paramref name="rowInvariant"/> (forward-only) pass
    /// gives each row the bits it would get alone (see <see cref="GemmProblem.SequenceRows"/>).
    /// </summary>
    public abstract void Forward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> targets, Span<float> output, int threads,
        CancellationToken cancellation, bool rowInvariant);

    /// <summary>
    /// Writes the head's parameter gradients into <paramref name="gradients"/> (its own tail of the gradient vector) and
    /// d loss / d (what it read of the stack, <see cref="Reads"/>) into <paramref name="stackGradient"/>, whose parts
    /// the caller cleared. <paramref name="cancellation"/> is checked inside its products.
    /// </summary>
    public abstract void Backward(ReadOnlySpan<float> parameters, in StackOutput stack, ReadOnlySpan<float> dOutput,
        Span<float> gradients, in StackGradient stackGradient, int threads, CancellationToken cancellation);
}
