using Microsoft.ML.Rnn;

namespace StockSequence;

/// <summary>How the sample's recurrent network trained.</summary>
/// <param name="Name">The network as named in the results table.</param>
/// <param name="History">Every epoch that ran (<see cref="RnnTransformer.TrainingHistory"/>).</param>
/// <param name="KeptEpoch">The epoch whose parameters the model kept: the one with the lowest validation loss under early
/// stopping, otherwise the last.</param>
/// <param name="StoppedEarly">True when early stopping ended training before the most epochs.</param>
/// <param name="TrainingWindows">Windows the network trained on.</param>
/// <param name="ValidationWindows">The latest training windows, held apart for the validation loss (0 without early stopping).</param>
/// <param name="FeatureScale">The factor the network's features were multiplied by (see <c>RnnForecaster.FeatureScale</c>).</param>
/// <param name="Seconds">Wall-clock seconds of training (reading the windows included).</param>
public sealed record RnnTrainingSummary(
    string Name,
    IReadOnlyList<RnnEpochReport> History,
    int KeptEpoch,
    bool StoppedEarly,
    long TrainingWindows,
    long ValidationWindows,
    float FeatureScale,
    double Seconds);
