using System.Globalization;
using Microsoft.ML.Rnn;
using Spectre.Console;

namespace StockSequence;

/// <summary>
/// Shows training progress per epoch, fed from <see cref="RnnTrainer.Options.OnEpochEnd"/>: a live Spectre.Console progress bar
/// with the latest train and validation loss in an interactive terminal, and one plain line per epoch otherwise (output
/// redirected to a file or a CI log), so no control codes end up in logs.
/// </summary>
/// <param name="console">Where to draw. Its profile decides between the live bar and plain lines.</param>
/// <param name="maxEpochs">The most epochs training can run (the bar's length).</param>
public sealed class EpochProgress(IAnsiConsole console, int maxEpochs)
{
    private ProgressTask? _bar;

    /// <summary>True when the live bar is drawn: the terminal is interactive and understands ANSI control codes.</summary>
    public bool IsLive => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="train"/> while showing progress; <see cref="Report"/> must be called from it after every epoch.</summary>
    /// <param name="title">What is being trained, shown before the bar.</param>
    /// <param name="train">The training call.</param>
    public void Run(string title, Action train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!IsLive)
        {
            train();
            return;
        }

        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                _bar = context.AddTask(Markup.Escape(title), maxValue: maxEpochs);
                try
                {
                    train();
                }
                finally
                {
                    // Early stopping ends training before the last epoch: the work is done all the same.
                    _bar.Value = _bar.MaxValue;
                    _bar.StopTask();
                    _bar = null;
                }
            });
    }

    /// <summary>Shows one finished epoch: moves the bar, or writes a line.</summary>
    /// <param name="epoch">The epoch's losses and time.</param>
    public void Report(RnnEpochReport epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        string losses = Describe(epoch);
        if (_bar is not null)
        {
            _bar.Value = epoch.Epoch;
            _bar.Description = Markup.Escape(losses);
        }
        else
        {
            console.Profile.Out.Writer.WriteLine(
                $"          {losses}  {epoch.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
        }
    }

    /// <summary>"epoch 3/30  train 1.234e-04  validation 1.111e-04".</summary>
    private string Describe(RnnEpochReport epoch)
    {
        string width = maxEpochs.ToString(CultureInfo.InvariantCulture);
        string text = $"epoch {epoch.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width}  train {Loss(epoch.TrainLoss)}";
        return epoch.ValidationLoss is float validation ? $"{text}  validation {Loss(validation)}" : text;
    }

    /// <summary>A loss in a fixed-width scientific form, the same in every culture.</summary>
    public static string Loss(double loss) => loss.ToString("0.000e+00", CultureInfo.InvariantCulture);
}
