using System.Globalization;
using Microsoft.ML.Rnn;
using ScottPlot;
using ScottPlot.TickGenerators;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// The sample's PNG plots (ScottPlot, rendered off-screen): the loss curve, forecast vs actual and the paths of several days. Each is built as a
/// <see cref="Plot"/> first, so that tests can look at what it holds.
/// </summary>
public static class ForecastPlots
{
    private const int Width = 1000;
    private const int Height = 560;

    /// <summary>Writes <see cref="LossCurve"/> as a PNG file.</summary>
    /// <param name="history">The epochs that ran (<see cref="RnnTransformer.TrainingHistory"/>).</param>
    /// <param name="keptEpoch">The epoch whose parameters the model kept, or null to mark none.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="units">What the loss is, for the vertical axis (see <see cref="LossUnits"/>).</param>
    public static void WriteLossCurve(IReadOnlyList<RnnEpochReport> history, int? keptEpoch, string path, string? units = null) =>
        LossCurve(history, keptEpoch, units).SavePng(path, Width, Height);

    /// <summary>What the trainer's loss is for a distribution: a mean squared error for a point forecast, else a mean negative
    /// log-likelihood.</summary>
    public static string LossUnits(RnnDistribution distribution) => distribution == RnnDistribution.None
        ? "MSE of the normalised label"
        : $"mean negative log-likelihood of the normalised label under the {SampleOptions.DistributionText(distribution)}, nats";

    /// <summary>
    /// The loss per epoch, "epoch" against "loss" as the PyTorch tutorial plots it (training loss in red), with the validation
    /// loss beside it and a mark at the epoch whose parameters were kept.
    /// </summary>
    /// <param name="history">The epochs that ran.</param>
    /// <param name="keptEpoch">The epoch whose parameters the model kept, or null to mark none.</param>
    /// <param name="units">What the loss is, for the vertical axis; null for the MSE of the normalised label.</param>
    /// <returns>The plot.</returns>
    public static Plot LossCurve(IReadOnlyList<RnnEpochReport> history, int? keptEpoch, string? units = null)
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
        bool validated = history.All(e => e.ValidationLoss is not null);
        if (validated)
        {
            var validation = plot.Add.ScatterLine(epochs, history.Select(e => (double)e.ValidationLoss!.Value).ToArray(), Colors.Blue);
            validation.LegendText = "validation";
            validation.LineWidth = 2;
        }

        if (keptEpoch is int kept)
        {
            var line = plot.Add.VerticalLine(kept, width: 1.5f, color: Colors.Gray, pattern: LinePattern.Dashed);
            line.LegendText = $"kept (epoch {kept})";
        }

        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(validated ? "Loss per epoch: training and validation" : "Training loss per epoch");
        plot.XLabel("epoch");
        plot.YLabel($"loss ({units ?? LossUnits(RnnDistribution.None)})");
        // Half an epoch either side: a kept first or last epoch would otherwise sit on the frame and vanish.
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(epochs[0] - 0.5, epochs[^1] + 0.5);
        // Beside the data, not over it: losses end low on the right, where a legend inside would cover the last epochs.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Writes <see cref="ForecastVsActual"/> as a PNG file.</summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The day of each value.</param>
    /// <param name="actual">What happened.</param>
    /// <param name="baseline">A baseline's forecasts, drawn under the model's.</param>
    /// <param name="model">The model's forecasts, drawn on top.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void WriteForecastVsActual(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        (string Name, double[] Values) baseline, (string Name, double[] Values) model, string path) =>
        ForecastVsActual(title, valueLabel, dates, actual, baseline, model).SavePng(path, Width, Height);

    /// <summary>
    /// Actual prices, a baseline's forecasts and the model's over the same days, ISO dates along the bottom. Drawn in that
    /// order, so the model's line is on top: persistence is the actual line shifted a day and would hide it.
    /// </summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The day of each value.</param>
    /// <param name="actual">What happened.</param>
    /// <param name="baseline">A baseline's forecasts, one per date.</param>
    /// <param name="model">The model's forecasts, one per date.</param>
    /// <returns>The plot.</returns>
    public static Plot ForecastVsActual(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        (string Name, double[] Values) baseline, (string Name, double[] Values) model)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(actual);
        if (dates.Count == 0 || actual.Count != dates.Count || baseline.Values.Length != dates.Count || model.Values.Length != dates.Count)
        {
            throw new ArgumentException($"Need one actual value and one value of each forecast per date ({dates.Count} dates).");
        }

        var plot = new Plot();
        double[] x = dates.Select(d => d.ToOADate()).ToArray();
        var truth = plot.Add.ScatterLine(x, actual.ToArray(), Colors.Black);
        truth.LegendText = "actual";
        truth.LineWidth = 2;
        var under = plot.Add.ScatterLine(x, baseline.Values, Colors.Gray);
        under.LegendText = baseline.Name;
        under.LineWidth = 1.5f;
        under.LinePattern = LinePattern.Dashed;
        var top = plot.Add.ScatterLine(x, model.Values, Colors.Red);
        top.LegendText = model.Name;
        top.LineWidth = 1.5f;

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Bottom.TickGenerator = new DateTimeAutomatic
        {
            LabelFormatter = d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), // the same in every culture, and unambiguous
        };
        plot.Title(title);
        plot.XLabel("date of the day forecast");
        plot.YLabel(valueLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Writes <see cref="PathsVsActual"/> as a PNG file.</summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The days of the actual prices.</param>
    /// <param name="actual">What happened, one price per date.</param>
    /// <param name="forecasts">Per forecaster, its paths.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void WritePathsVsActual(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        IReadOnlyList<(string Name, IReadOnlyList<PricePath> Paths)> forecasts, string path) =>
        PathsVsActual(title, valueLabel, dates, actual, forecasts).SavePng(path, Width, Height);

    /// <summary>
    /// The actual prices, and over them each forecaster's paths of the next days from a few origins: every path starts at its
    /// origin's price and runs through its forecasts, so the fan shows how each forecaster's days drift from the truth. The
    /// first forecaster is drawn dashed in blue, the next in red on top; one legend entry each.
    /// </summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The days of the actual prices.</param>
    /// <param name="actual">What happened, one price per date.</param>
    /// <param name="forecasts">Per forecaster, its paths (at least one forecaster with at least one path).</param>
    /// <returns>The plot.</returns>
    public static Plot PathsVsActual(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        IReadOnlyList<(string Name, IReadOnlyList<PricePath> Paths)> forecasts)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(forecasts);
        if (dates.Count == 0 || actual.Count != dates.Count)
        {
            throw new ArgumentException($"Need one actual value per date ({dates.Count} dates, {actual.Count} values).");
        }

        if (forecasts.Count == 0 || forecasts.Any(f => f.Paths.Count == 0 || f.Paths.Any(p => p.Dates.Count == 0 || p.Dates.Count != p.Prices.Count)))
        {
            throw new ArgumentException("Need at least one forecaster, each with paths of one price per date.");
        }

        var plot = new Plot();
        var truth = plot.Add.ScatterLine(dates.Select(d => d.ToOADate()).ToArray(), actual.ToArray(), Colors.Black);
        truth.LegendText = "actual";
        truth.LineWidth = 2;
        Color[] colors = [Colors.Blue, Colors.Red, Colors.Green, Colors.Orange];
        for (int f = 0; f < forecasts.Count; f++)
        {
            for (int p = 0; p < forecasts[f].Paths.Count; p++)
            {
                PricePath path = forecasts[f].Paths[p];
                double[] x = path.Dates.Select(d => d.ToOADate()).Prepend(path.Origin.ToOADate()).ToArray();
                double[] y = path.Prices.Prepend(path.OriginPrice).ToArray();
                var line = plot.Add.ScatterLine(x, y, colors[f % colors.Length]);
                line.LineWidth = 1.5f;
                line.MarkerSize = 4;
                line.LinePattern = f == 0 ? LinePattern.Dashed : LinePattern.Solid;
                if (p == 0)
                {
                    line.LegendText = forecasts[f].Name;
                }
            }
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Bottom.TickGenerator = new DateTimeAutomatic
        {
            LabelFormatter = d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        plot.Title(title);
        plot.XLabel("date");
        plot.YLabel(valueLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Writes <see cref="FanChart"/> as a PNG file.</summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The day of each value.</param>
    /// <param name="actual">What happened.</param>
    /// <param name="forecast">The model's point forecasts.</param>
    /// <param name="intervals">The model's intervals, in the same units.</param>
    /// <param name="intervalName">The interval's legend text, "95% interval".</param>
    /// <param name="path">The PNG file to write.</param>
    public static void WriteFanChart(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        (string Name, double[] Values) forecast, IReadOnlyList<PriceInterval> intervals, string intervalName, string path) =>
        FanChart(title, valueLabel, dates, actual, forecast, intervals, intervalName).SavePng(path, Width, Height);

    /// <summary>
    /// A fan chart: the interval shaded, the actual prices in black and the forecast in red over it, ISO dates along the bottom.
    /// Days whose interval is unknown (NaN bounds) leave a gap in the shading.
    /// </summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="valueLabel">What the values are, for the vertical axis.</param>
    /// <param name="dates">The day of each value.</param>
    /// <param name="actual">What happened.</param>
    /// <param name="forecast">The model's point forecasts, one per date.</param>
    /// <param name="intervals">The model's intervals, one per date.</param>
    /// <param name="intervalName">The interval's legend text.</param>
    /// <returns>The plot.</returns>
    public static Plot FanChart(string title, string valueLabel, IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual,
        (string Name, double[] Values) forecast, IReadOnlyList<PriceInterval> intervals, string intervalName)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(intervals);
        if (dates.Count == 0 || actual.Count != dates.Count || forecast.Values.Length != dates.Count || intervals.Count != dates.Count)
        {
            throw new ArgumentException($"Need one actual value, one forecast and one interval per date ({dates.Count} dates).");
        }

        var plot = new Plot();
        double[] x = dates.Select(d => d.ToOADate()).ToArray();
        var known = Enumerable.Range(0, dates.Count).Where(i => intervals[i].IsKnown).ToArray();
        if (known.Length > 0)
        {
            var band = plot.Add.FillY(known.Select(i => x[i]).ToArray(), known.Select(i => intervals[i].Upper).ToArray(),
                known.Select(i => intervals[i].Lower).ToArray());
            band.FillColor = Colors.Red.WithAlpha(0.2);
            band.LineWidth = 0;
            band.LegendText = intervalName;
        }

        var truth = plot.Add.ScatterLine(x, actual.ToArray(), Colors.Black);
        truth.LegendText = "actual";
        truth.LineWidth = 1.5f;
        var line = plot.Add.ScatterLine(x, forecast.Values, Colors.Red);
        line.LegendText = forecast.Name;
        line.LineWidth = 1.5f;

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Bottom.TickGenerator = new DateTimeAutomatic
        {
            LabelFormatter = d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        plot.Title(title);
        plot.XLabel("date of the day forecast");
        plot.YLabel(valueLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
