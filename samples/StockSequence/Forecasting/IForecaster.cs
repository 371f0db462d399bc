using Microsoft.ML;

namespace StockSequence.Forecasting;

/// <summary>
/// A model that forecasts the label of sequence windows. All forecasters see the same windows (the output of
/// <c>mlContext.Data.CreateSequenceWindows</c>) and predict in the windows' (normalised) label scale; the run maps predictions
/// back to prices and scores every forecaster the same way. A trained network is one more implementation.
/// </summary>
public interface IForecaster
{
    /// <summary>The name shown in the results table.</summary>
    string Name { get; }

    /// <summary>Learns from the training windows (columns Features and Label); rules of thumb ignore them.</summary>
    /// <param name="trainingWindows">The windows before the hold-out, in time order.</param>
    void Fit(IDataView trainingWindows);

    /// <summary>One prediction per window, in the windows' order and in the label's (normalised) scale.</summary>
    /// <param name="windows">The windows to forecast from (column Features).</param>
    /// <returns>The predictions.</returns>
    float[] Predict(IDataView windows);
}
