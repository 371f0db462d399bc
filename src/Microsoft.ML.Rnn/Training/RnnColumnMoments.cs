using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Per column of values laid out row after row with <c>columns</c> values per step (a sequence set's features or targets):
/// the mean, the mean absolute value and the population standard deviation, over every step of every row.
/// </summary>
/// <remarks>
/// Two passes of double-precision sums: the mean, then the squared deviations from it, so large values lose nothing to
/// cancellation (as one sum of squares would). MathNet's <c>RunningStatistics</c> gives the same figures in one pass but
/// updates the higher moments at every value as well: about 20 ns a value, too slow to run over a whole training set
/// before every <c>Fit</c> (a tutorial-sized Fit spent half its setup there).
/// </remarks>
internal sealed class RnnColumnMoments
{
    private RnnColumnMoments(double[] mean, double[] meanAbsolute, double[] standardDeviation)
    {
        Mean = mean;
        MeanAbsolute = meanAbsolute;
        StandardDeviation = standardDeviation;
    }

    public double[] Mean { get; }

    public double[] MeanAbsolute { get; }

    /// <summary>Population standard deviation (0 for a constant column).</summary>
    public double[] StandardDeviation { get; }

    /// <summary>The moments of the <paramref name="columns"/> columns of rows 0 to <paramref name="rows"/> − 1, read by <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RnnColumnMoments Of(int rows, int columns, Func<int, ReadOnlySpan<float>> row)
    {
        var sums = new double[columns];
        var absoluteSums = new double[columns];
        long steps = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> values = row(r);
            steps += values.Length / columns;
            for (int i = 0, c = 0; i < values.Length; i++, c = c + 1 == columns ? 0 : c + 1)
            {
                sums[c] += values[i];
                absoluteSums[c] += Math.Abs(values[i]);
            }
        }

        var mean = new double[columns];
        var meanAbsolute = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            mean[c] = sums[c] / steps;
            meanAbsolute[c] = absoluteSums[c] / steps;
        }

        var squares = new double[columns];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> values = row(r);
            for (int i = 0, c = 0; i < values.Length; i++, c = c + 1 == columns ? 0 : c + 1)
            {
                double deviation = values[i] - mean[c];
                squares[c] += deviation * deviation;
            }
        }

        var standardDeviation = new double[columns];
        for (int c = 0; c < columns; c++)
            standardDeviation[c] = Math.Sqrt(squares[c] / steps);
        return new RnnColumnMoments(mean, meanAbsolute, standardDeviation);
    }
}
