namespace Microsoft.ML.Rnn.Core;

/// <summary>The architecture of an <see cref="RnnNetwork"/>: everything but the parameter values.</summary>
/// <param name="Cell">The recurrent cell.</param>
/// <param name="InputSize">Features per step.</param>
/// <param name="HiddenSize">State size of each layer and direction.</param>
/// <param name="OutputSize">Outputs of the linear head (per step for <see cref="RnnHead.ManyToMany"/>); the class count for softmax cross-entropy.</param>
/// <param name="NumberOfLayers">Stacked recurrent layers.</param>
/// <param name="Bidirectional">Whether each layer also runs backwards in time; per-step outputs are forward‖backward.</param>
/// <param name="Nonlinearity">Activation of the Elman cell (ignored by LSTM and GRU).</param>
/// <param name="Head">The sequence structure: N vs 1 or N vs N.</param>
/// <param name="Dropout">Dropout probability on the outputs of every layer but the last, during training only.</param>
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

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Gate blocks per cell: 1 for RNN, 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n).</summary>
    public int GateCount => Cell switch
    {
        RnnCellType.Lstm => 4,
        RnnCellType.Gru => 3,
        _ => 1,
    };

    /// <summary>Width of a per-step output of the top layer (and of the N vs 1 final state): directions × hidden size.</summary>
    public int TopWidth => Directions * HiddenSize;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        CheckRange(InputSize, nameof(InputSize), 1, MaxDimension);
        CheckRange(HiddenSize, nameof(HiddenSize), 1, MaxDimension);
        CheckRange(OutputSize, nameof(OutputSize), 1, MaxDimension);
        CheckRange(NumberOfLayers, nameof(NumberOfLayers), 1, MaxLayers);
        if (!Enum.IsDefined(Cell))
            throw new ArgumentException($"Cell is {(int)Cell}, which is not a defined {nameof(RnnCellType)}.", nameof(Cell));
        if (!Enum.IsDefined(Nonlinearity))
            throw new ArgumentException($"Nonlinearity is {(int)Nonlinearity}, which is not a defined {nameof(RnnNonlinearity)}.", nameof(Nonlinearity));
        if (!Enum.IsDefined(Head))
            throw new ArgumentException($"Head is {(int)Head}, which is not a defined {nameof(RnnHead)}.", nameof(Head));
        if (!(Dropout >= 0f && Dropout < 1f))
            throw new ArgumentException($"Dropout is {Dropout}; expected a probability in [0, 1).", nameof(Dropout));
    }

    private static void CheckRange(int value, string name, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentException($"{name} is {value}; expected {min} to {max}.", name);
    }
}
