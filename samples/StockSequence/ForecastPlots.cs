using Microsoft.ML.Rnn;
using ScottPlot;

namespace StockSequence;

/// <summary>The sample's PNG plots (ScottPlot, rendered off-screen): the training loss curve and forecast vs actual.</summary>
public static class ForecastPlots
{
    private const int Width = 1000;
    private const int Height = 560;

    /// <summary>
    /// The loss per epoch, as the PyTorch tutorial plots it (a red training-loss line, "epoch" against "loss", titled
    /// "RNN-train-loss"), with the validation loss beside it and a mark at the epoch whose parameters were kept.
    /// </summary>
    /// <param name="history">The epochs that ran (<see cref="RnnTransformer.TrainingHistory"/>).</param>
    /// <param name="keptEpoch">The epoch whose parameters the model kept, or null to mark none.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void WriteLossCurve(IReadOnlyList<RnnEpochReport> history, int? keptEpoch, string path)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            throw new ArgumentException("There are no epochs to plot.", nameof(history));
        }

        var plot = new Plot();
        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        var train = plot.Add.ScatterLine(epochs, history.Select(e => (double)e.TrainLoss).ToArray(), Colors.Red);
        train.LegendText = "train";
        train.LineWidth = 2;
        if (history.All(e => e.ValidationLoss is not null))
        {
            var validation = plot.Add.ScatterLine(epochs, history.Select(e => (double)e.ValidationLoss!.Value).ToArray(), Colors.Blue);
            validation.LegendText = "validation";
            validation.LineWidth = 2;
        }

        if (keptEpoch is int kept)
        {
            var line = plot.Add.VerticalLine(kept, width: 1, color: Colors.Gray, pattern: LinePattern.Dashed);
            line.LegendText = $"kept (epoch {kept})";
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title("RNN-train-loss");
        plot.XLabel("epoch");
        plot.YLabel("loss (MSE)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Actual prices and one or more forecasts over the same days, dates along the bottom.</summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="dates">The day of each value.</param>
    /// <param name="actual">What happened.</param>
    /// <param name="forecasts">Forecasts by name, each with one value per date.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void WriteForecastVsActual(string title, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        IReadOnlyDictionary<string, double[]> forecasts, string path)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(forecasts);
        if (dates.Count == 0 || actual.Count != dates.Count || forecasts.Values.Any(f => f.Length != dates.Count))
        {
            throw new ArgumentException($"Need one actual value and one value of every forecast per date ({dates.Count} dates).");
        }

        var plot = new Plot();
        double[] x = dates.Select(d => d.ToOADate()).ToArray();
        var truth = plot.Add.ScatterLine(x, actual.ToArray(), Colors.Black);
        truth.LegendText = "actual";
        truth.LineWidth = 2;
        Color[] palette = [Colors.Red, Colors.Blue, Colors.Green, Colors.Orange];
        int next = 0;
        foreach (var (name, values) in forecasts)
        {
            var line = plot.Add.ScatterLine(x, values, palette[next++ % palette.Length]);
            line.LegendText = name;
            line.LineWidth = 1.5f;
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Title(title);
        plot.YLabel("price");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }
}
