using System.Globalization;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The architecture of an <see cref="RnnNetwork"/>: everything but the parameter values.</summary>
/// <param name="Cell">The recurrent cell.</param>
/// <param name="InputSize">Features per step.</param>
/// <param name="HiddenSize">State size of each layer and direction.</param>
/// <param name="OutputSize">Outputs of the linear head (per step for <see cref="RnnHead.ManyToMany"/>); the class count for softmax cross-entropy.</param>
/// <param name="NumberOfLayers">Stacked recurrent layers.</param>
/// <param name="Bidirectional">Whether each layer also runs backwards in time; per-step outputs are forward‖backward.</param>
/// <param name="Nonlinearity">Activation of the Elman cell (ignored by LSTM and GRU).</param>
/// <param name="Head">The sequence structure: N vs 1, N vs N, 1 vs N or N vs M.</param>
/// <param name="Dropout">Dropout probability on the outputs of every layer but the last, during training only (of the encoder, with <see cref="RnnHead.EncoderDecoder"/>).</param>
public sealed record RnnNetworkShape(
    RnnCellType Cell,
    int InputSize,
    int HiddenSize,
    int OutputSize,
    int NumberOfLayers = 1,
    bool Bidirectional = false,
    RnnNonlinearity Nonlinearity = RnnNonlinearity.Tanh,
    RnnHead Head = RnnHead.ManyToOne,
    float Dropout = 0f)
{
    /// <summary>The largest size accepted for any dimension; far beyond what a CPU trains, small enough to catch garbage.</summary>
    public const int MaxDimension = 1 << 16;

    /// <summary>The largest number of stacked layers accepted.</summary>
    public const int MaxLayers = 64;

    /// <summary>
    /// M: the steps a decoder emits (<see cref="RnnHead.OneToMany"/>, <see cref="RnnHead.EncoderDecoder"/>); 1 for the
    /// other heads.
    /// </summary>
    public int OutputLength { get; init; } = 1;

    /// <summary>How an <see cref="RnnHead.EncoderDecoder"/> forms its context; <see cref="RnnContext.LastState"/> for the other heads.</summary>
    public RnnContext Context { get; init; }

    /// <summary>How the decoder reads the context or the input vector; <see cref="RnnDecoderInput.InitialState"/> for heads without a decoder.</summary>
    public RnnDecoderInput DecoderInput { get; init; }

    /// <summary>What the decoder feeds back from one step to the next; <see cref="RnnOutputFeedback.None"/> for heads without a decoder.</summary>
    public RnnOutputFeedback OutputFeedback { get; init; }

    /// <summary>
    /// What the network predicts per output: a point (<see cref="RnnDistribution.None"/>, the default), or a
    /// distribution's parameters. With a distribution the head's final linear layer emits <see cref="OutputWidth"/>
    /// values per output step: the <see cref="OutputSize"/> means, then as many raw scales (σ = softplus(raw) + 1e-6),
    /// then for <see cref="RnnDistribution.StudentT"/> as many raw degrees of freedom (ν = 2 + softplus(raw)); train it
    /// with the matching negative log-likelihood loss. A decoder that feeds back its output feeds back the means.
    /// </summary>
    public RnnDistribution Distribution { get; init; }

    /// <summary>Values the head emits per output step: <see cref="OutputSize"/> times 1 (a point), 2 (Normal) or 3 (Student-t).</summary>
    public int OutputWidth
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => OutputSize * DistributionParameters.ValuesPerOutput(Distribution);
    }

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Bidirectional ? 2 : 1;
    }

    /// <summary>Gate blocks per cell: 1 for RNN, 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n).</summary>
    public int GateCount => RecurrentCells.Describe(Cell).GateCount;

    /// <summary>Whether the cell carries a cell state beside the hidden state (LSTM).</summary>
    internal bool HasCellState
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => RecurrentCells.Describe(Cell).HasCellState;
    }

    /// <summary>How the head's outputs line up with a sequence's steps.</summary>
    internal HeadStructure HeadStructure
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => RnnHeads.Structure(Head, OutputLength);
    }

    /// <summary>Layers of the recurrent stack that runs over the input sequence: none for 1 vs N, whose layers are its decoder's.</summary>
    internal int EncoderLayers
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => RnnHeads.HasEncoder(Head) ? NumberOfLayers : 0;
    }

    /// <summary>Whether the head is a decoder that emits <see cref="OutputLength"/> steps (1 vs N, N vs M).</summary>
    internal bool HasDecoder => RnnHeads.HasDecoder(Head);

    /// <summary>Width of a per-step output of the top layer (and of the N vs 1 final state): directions × hidden size.</summary>
    public int TopWidth => Directions * HiddenSize;

    /// <summary>
    /// Parameters of the whole network, recurrent stack and head, as <see cref="ParameterLayout"/> lays them out;
    /// counted in <see cref="long"/>, so a shape too large for one array is seen as such instead of wrapping around.
    /// </summary>
    internal long ParameterCount
    {
        get
        {
            long gateWidth = (long)GateCount * HiddenSize, count = 0;
            for (int layer = 0; layer < EncoderLayers; layer++)
            {
                long inputWidth = layer == 0 ? InputSize : TopWidth;
                count += Directions * gateWidth * (inputWidth + HiddenSize + 2); // weight_ih, weight_hh, bias_ih, bias_hh
            }

            foreach (ParameterTensor tensor in RnnHeads.Create(this).Parameters)
                count += tensor.Length;
            return count;
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate() => Validate(OptionCheck.Core);

    /// <summary>Checks every field, reporting the first one out of range through <paramref name="fail"/>.</summary>
    internal void Validate(OptionFailure fail)
    {
        OptionCheck.Defined(Cell, nameof(Cell), fail);
        OptionCheck.Defined(Nonlinearity, nameof(Nonlinearity), fail);
        OptionCheck.Defined(Head, nameof(Head), fail);
        OptionCheck.Range(InputSize, 1, MaxDimension, nameof(InputSize), "features per step", fail);
        OptionCheck.Range(HiddenSize, 1, MaxDimension, nameof(HiddenSize), "hidden units per layer", fail);
        OptionCheck.Range(OutputSize, 1, MaxDimension, nameof(OutputSize), "outputs per step (classes for softmax cross-entropy)", fail);
        OptionCheck.Range(NumberOfLayers, 1, MaxLayers, nameof(NumberOfLayers), "stacked layers", fail);
        OptionCheck.UnitInterval(Dropout, nameof(Dropout), "a probability", fail);
        OptionCheck.Defined(Context, nameof(Context), fail);
        OptionCheck.Defined(DecoderInput, nameof(DecoderInput), fail);
        OptionCheck.Defined(OutputFeedback, nameof(OutputFeedback), fail);
        OptionCheck.Range(OutputLength, 1, MaxDimension, nameof(OutputLength), "steps the decoder emits", fail);
        OptionCheck.Defined(Distribution, nameof(Distribution), fail);
        if (Distribution != RnnDistribution.None && OutputFeedback is RnnOutputFeedback.Decision or RnnOutputFeedback.Class)
            throw fail(nameof(Distribution), $"is {Distribution} with OutputFeedback {OutputFeedback}",
                "None with a classification decoder's feedback: a distribution is for real-valued outputs (feedback None or Value)");
        SequenceStructureCheck.Validate(this, fail);

        // Every parameter lives in one float[] (and so do its gradient and the optimizer's state).
        long parameters = ParameterCount;
        if (parameters > Array.MaxLength)
        {
            throw fail(nameof(HiddenSize),
                string.Create(CultureInfo.InvariantCulture,
                    $"is {HiddenSize}, which with {GateCount} gate(s) per unit ({Cell}), {NumberOfLayers} layer(s), {Directions} direction(s), " +
                    $"InputSize {InputSize} and OutputSize {OutputSize} needs {parameters:N0} parameters"),
                string.Create(CultureInfo.InvariantCulture,
                    $"at most {Array.MaxLength:N0} parameters, as many as one array holds: lower HiddenSize or NumberOfLayers"));
        }
    }
}
