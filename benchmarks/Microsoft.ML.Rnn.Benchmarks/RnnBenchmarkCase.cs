using Microsoft.ML.Rnn;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// A benchmark shape named as in benchmarks/peer/torch_rnn.py: <c>cell-bBATCH-tSTEPS-FEATURES-HIDDEN-OUTPUTS</c>,
/// with an optional prefix word (<c>tutorial-</c>, <c>predict-</c>) that names the case.
/// </summary>
public sealed record RnnBenchmarkCase(RnnCellType Cell, int Batch, int Steps, int Features, int Hidden, int Outputs)
{
    public static RnnBenchmarkCase Parse(string name)
    {
        string[] parts = name.Split('-');
        int cellIndex = Array.FindIndex(parts, p => p is "rnn" or "lstm" or "gru");
        RnnCellType cell = parts[cellIndex] switch { "lstm" => RnnCellType.Lstm, "gru" => RnnCellType.Gru, _ => RnnCellType.Rnn };
        int Number(int offset) => int.Parse(parts[cellIndex + offset].TrimStart('b', 't'), System.Globalization.CultureInfo.InvariantCulture);
        return parts[cellIndex + 1].StartsWith('b')
            ? new RnnBenchmarkCase(cell, Number(1), Number(2), Number(3), Number(4), Number(5))
            : new RnnBenchmarkCase(cell, 1, Number(1), Number(2), Number(3), Number(4));
    }

    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
