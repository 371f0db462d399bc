namespace StockSequence.Forecasting;

/// <summary>How good each forecaster's hold-out paths are on one day ahead, or on all days together.</summary>
/// <param name="Day">Days ahead (1 = the day after the window), or null for all H days pooled.</param>
/// <param name="Models">One row per forecaster, in the order given; skill is against persistence on the same day.</param>
public sealed record DayAheadMetrics(int? Day, IReadOnlyList<ForecastMetrics> Models)
{
    /// <summary>Scores the paths day by day, then all days together.</summary>
    /// <param name="names">The forecasters' names.</param>
    /// <param name="actual">Per window, the actual prices of days 1..H.</param>
    /// <param name="forecasts">Per forecaster (in the order of <paramref name="names"/>), per window, its prices for days 1..H.</param>
    /// <param name="lastObserved">Per window, the last price it saw (persistence's forecast for every day).</param>
    /// <returns>H rows, day 1 first, then the pooled row (<see cref="Day"/> null): errors over all windows × days, skill
    /// against persistence's over the same.</returns>
    public static IReadOnlyList<DayAheadMetrics> Compute(IReadOnlyList<string> names, IReadOnlyList<double[]> actual,
        IReadOnlyList<IReadOnlyList<double[]>> forecasts, IReadOnlyList<double> lastObserved)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(lastObserved);
        if (actual.Count == 0 || lastObserved.Count != actual.Count || forecasts.Count != names.Count)
        {
            throw new ArgumentException($"Need windows ({actual.Count}), one last price per window ({lastObserved.Count}) and one set of paths per name " +
                $"({forecasts.Count} sets, {names.Count} names).");
        }

        int days = actual[0].Length;
        if (actual.Any(a => a.Length != days) || forecasts.Any(f => f.Count != actual.Count || f.Any(p => p.Length != days)))
        {
            throw new ArgumentException($"Every actual and forecast path needs {days} days, one per window.");
        }

        var rows = new List<DayAheadMetrics>();
        for (int day = 1; day <= days; day++)
        {
            int d = day - 1;
            double[] truth = actual.Select(a => a[d]).ToArray();
            rows.Add(new DayAheadMetrics(day, names.Select((name, m) =>
                ForecastMetrics.Compute(name, truth, forecasts[m].Select(p => p[d]).ToArray(), lastObserved, day)).ToList()));
        }

        double[] allTruth = actual.SelectMany(a => a).ToArray();
        double[] allLast = lastObserved.SelectMany(l => Enumerable.Repeat(l, days)).ToArray();
        rows.Add(new DayAheadMetrics(null, names.Select((name, m) =>
            ForecastMetrics.Compute(name, allTruth, forecasts[m].SelectMany(p => p).ToArray(), allLast, days)).ToList()));
        return rows;
    }
}
