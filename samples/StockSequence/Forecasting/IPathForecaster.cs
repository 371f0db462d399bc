namespace StockSequence.Forecasting;

/// <summary>
/// A model that forecasts the next H values after each window at once: a path of H days. Like <see cref="IForecaster"/>, it
/// works in the windows' normalised scale (each path relative to its own window's reference, as the labels are), and the run
/// maps the paths back to prices and scores every forecaster per day ahead the same way.
/// </summary>
public interface IPathForecaster
{
    /// <summary>The name shown in the per-day table.</summary>
    string Name { get; }

    /// <summary>Days forecast per window (H).</summary>
    int Steps { get; }

    /// <summary>Learns from the training windows, in time order; rules of thumb ignore them.</summary>
    /// <param name="trainingWindows">The windows before the hold-out, each with its next H values.</param>
    void Fit(IReadOnlyList<PathWindow> trainingWindows);

    /// <summary>One path of <see cref="Steps"/> values per window, in the windows' order, day 1 first.</summary>
    /// <param name="windows">The windows to forecast from (their labels are not read).</param>
    /// <returns>The paths, normalised against each window's reference.</returns>
    float[][] Predict(IReadOnlyList<PathWindow> windows);
}
