namespace Microsoft.ML.Rnn;

/// <summary>Independent seeds for the random streams of one training run, all derived from the one seed.</summary>
internal static class RnnSeeds
{
    /// <summary>Stream of the per-epoch shuffles.</summary>
    public const int Shuffle = 1;

    /// <summary>Stream of the dropout masks.</summary>
    public const int Dropout = 2;

    /// <summary>A seed for stream <paramref name="stream"/> (SplitMix64 of the pair), stable across runs and platforms.</summary>
    public static int Derive(int seed, int stream)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }
}
