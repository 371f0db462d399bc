namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// A validated batch as every <see cref="RowBlock"/> sees it: the whole batch, of which each block reads its rows.
/// </summary>
internal readonly ref struct RowBlockInputs
{
    /// <summary>The network's parameters.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Inputs, <c>[batch, steps, inputSize]</c>.</summary>
    public ReadOnlySpan<float> Inputs { get; init; }

    /// <summary>Each sequence's length, <c>[batch]</c>.</summary>
    public ReadOnlySpan<int> Lengths { get; init; }

    /// <summary>Steps per sequence in <see cref="Inputs"/>.</summary>
    public int Steps { get; init; }

    /// <summary>Initial hidden states <c>[layers·directions, batch, hidden]</c>, or empty for zeros.</summary>
    public ReadOnlySpan<float> InitialHidden { get; init; }

    /// <summary>LSTM initial cell states, same shape, or empty for zeros.</summary>
    public ReadOnlySpan<float> InitialCell { get; init; }

    /// <summary>
    /// The training targets, as the loss takes them, for a decoder that feeds back its previous output (teacher
    /// forcing); empty otherwise (a decoder then feeds back its own outputs).
    /// </summary>
    public ReadOnlySpan<float> Targets { get; init; }

    /// <summary>Per layer below the top, the dropout mask of its output (<c>[steps, batch, width]</c>); null without dropout.</summary>
    public float[][]? DropoutMasks { get; init; }

    /// <summary>Checked at every time step and inside the products over all steps, so that a cancelled pass stops within a step.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// A forward-only pass in which every product chooses its algorithm without looking at the number of rows, so each
    /// row's outputs are bit-identical whatever batch it is in (see <see cref="GemmProblem.SequenceRows"/>).
    /// </summary>
    public bool RowInvariant { get; init; }

    public int BatchSize => Lengths.Length;
}
