using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// How the run divides the windows, in time order: the training windows (the latest of them validating the RNN), a gap of
/// horizon − 1 windows, and the hold-out (the last <see cref="StockForecastRun.HoldOutFraction"/>, at least one).
/// </summary>
/// <param name="Training">Windows before the gap; the baselines train on all of them, the RNN on all but the validation ones.</param>
/// <param name="Validation">The latest training windows, held apart to validate the RNN (0 without early stopping).</param>
/// <param name="Gap">Windows left out because their labels fall in the hold-out's period (horizon − 1).</param>
/// <param name="HoldOut">The last windows, for evaluation.</param>
/// <param name="ValidationFraction">The share of the training windows that validate; 0 without early stopping.</param>
public sealed record WindowSplit(long Training, long Validation, long Gap, long HoldOut, double ValidationFraction)
{
    /// <summary>True when there is something to train on, to validate on (under early stopping) and to hold out.</summary>
    public bool IsWorkable => Training >= 2 && (ValidationFraction == 0 || Validation >= 1);

    /// <summary>Divides <paramref name="windows"/> windows.</summary>
    /// <param name="windows">The windows there are.</param>
    /// <param name="horizon">Steps ahead the labels are.</param>
    /// <param name="validationFraction">The share of the training windows that validate the RNN; 0 for none.</param>
    public static WindowSplit Of(long windows, int horizon, double validationFraction)
    {
        long holdOut = Math.Max(1, (long)Math.Round(windows * StockForecastRun.HoldOutFraction));
        long gap = horizon - 1;
        long training = windows - holdOut - gap;
        return new WindowSplit(training, RnnForecaster.ValidationCount(training, validationFraction), gap, holdOut, validationFraction);
    }

    /// <summary>The fewest windows that give a workable split.</summary>
    public static long MinimumWindows(int horizon, double validationFraction)
    {
        long windows = 1;
        while (!Of(windows, horizon, validationFraction).IsWorkable)
        {
            windows++;
        }

        return windows;
    }
}
