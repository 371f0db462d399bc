namespace StockSequence.Forecasting;

/// <summary>How good one forecaster's hold-out forecasts are, in price units.</summary>
/// <param name="Model">The forecaster's name.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="DirectionAccuracy">The share of days with a move on which the forecast moved the same way (up or down) from the
/// last observed price; a forecast of no move counts as wrong. Null when the forecaster never predicts a move (persistence).</param>
/// <param name="SkillVsPersistence">1 − MSE / MSE of persistence: above 0 beats "tomorrow = today", 0 ties it, below 0 is worse.</param>
/// <param name="DieboldMariano">The Diebold–Mariano test (small-sample corrected) of the squared-error difference against
/// persistence: a negative statistic means this forecaster's errors are smaller, a p-value of 0.05 or more that the
/// difference could well be luck. Null when it is undefined (identical errors, too few forecasts).</param>
public sealed record ForecastMetrics(string Model, double Rmse, double Mae, double? DirectionAccuracy, double SkillVsPersistence,
    DieboldMarianoTest? DieboldMariano)
{
    /// <summary>Computes the metrics.</summary>
    /// <param name="model">The forecaster's name.</param>
    /// <param name="actual">The actual prices.</param>
    /// <param name="predicted">The forecast prices.</param>
    /// <param name="lastObserved">The last price each window saw (what persistence forecasts).</param>
    /// <param name="horizon">Steps ahead the forecasts are (for the Diebold–Mariano test).</param>
    /// <returns>The metrics.</returns>
    public static ForecastMetrics Compute(string model, IReadOnlyList<double> actual, IReadOnlyList<double> predicted,
        IReadOnlyList<double> lastObserved, int horizon = 1)
    {
        int n = actual.Count;
        if (n == 0 || predicted.Count != n || lastObserved.Count != n)
        {
            throw new ArgumentException($"Need the same, non-zero number of actual ({n}), predicted ({predicted.Count}) and last observed ({lastObserved.Count}) prices.");
        }

        double squared = 0, absolute = 0, persistenceSquared = 0;
        var lossDifferential = new double[n];
        int moves = 0, hits = 0;
        bool predictsMoves = false;
        for (int i = 0; i < n; i++)
        {
            double error = predicted[i] - actual[i];
            squared += error * error;
            absolute += Math.Abs(error);
            double persistenceError = lastObserved[i] - actual[i];
            persistenceSquared += persistenceError * persistenceError;
            lossDifferential[i] = error * error - persistenceError * persistenceError;

            int actualMove = Math.Sign(actual[i] - lastObserved[i]);
            int predictedMove = Math.Sign(predicted[i] - lastObserved[i]);
            predictsMoves |= predictedMove != 0;
            if (actualMove != 0)
            {
                moves++;
                hits += predictedMove == actualMove ? 1 : 0;
            }
        }

        double? direction = predictsMoves && moves > 0 ? (double)hits / moves : null;
        double skill = persistenceSquared > 0 ? 1 - squared / persistenceSquared : 0;
        return new ForecastMetrics(model, Math.Sqrt(squared / n), absolute / n, direction, skill,
            DieboldMarianoTest.Compute(lossDifferential, horizon));
    }
}
