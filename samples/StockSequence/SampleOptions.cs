using System.Globalization;
using Microsoft.ML.Rnn;
using StockSequence.Data;

namespace StockSequence;

/// <summary>The sample's command-line options, parsed without a CLI library: <c>--name value</c> or <c>--name=value</c>.</summary>
public sealed record SampleOptions
{
    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public const string HelpText = """
        StockSequence: forecast a daily price series with a recurrent network on sequence windows, against naive baselines.

        Usage: dotnet run --project samples/StockSequence -c Release -- [options]

        Data
          --csv PATH           daily price CSV: Date,Open,High,Low,Close,Adj Close,Volume (ISO dates) or
                               Date,Open,High,Low,Close,Volume (dd-MM-yy dates). Default: a generated series.
          --column NAME        column to forecast: Open, High, Low, Close, Adj Close, Volume (default: Close)
          --days N             length of the generated series in trading days (default: 4000; --quick: 750)
          --seed N             seed of the generated series and of ML.NET (default: 42)

        Windows
          --window N           steps the model sees (default: 50)
          --horizon N          the one day ahead to forecast (default: 1, the next day)
          --ahead H            forecast all of days 1..H at once (default: 1): an encoder-decoder (N vs M) network
                               emitting H steps, against the one-day network applied H times (recursive) and
                               persistence, per day ahead. Needs --horizon 1 and no --folds
          --normalization K    per-window scaling: last (p/p_last - 1, default), first (p/p_first - 1) or none

        Recurrent network (N vs 1: the window in, the forecast out; trained by mlContext.Regression.Trainers.Rnn)
          --cell K             rnn, lstm or gru (default: lstm)
          --hidden N           hidden units per layer (default: 32)
          --layers N           stacked layers (default: 1)
          --epochs N           most training epochs (default: 30; --quick: 2)
          --patience N         stop after N epochs without a lower validation loss, keeping the best epoch; the last
                               10% of the training windows validate. 0 trains every epoch (default: 5)
          --distribution K     what the network predicts: studentt (a Student-t per forecast, default), normal (a Normal)
                               or none (a point forecast, trained on squared errors). With a distribution the report adds
                               the 95% interval's hold-out coverage and width, and a fan chart; the interval is calibrated
                               (split conformal) on the validation windows, never on the hold-out

        Encoder-decoder (N vs M, only with --ahead H > 1; the cell, size and training options above apply too)
          --context K          what the decoder reads of the window: last (the encoder's last state), projected
                               (tanh of a linear map of it) or attention (recomputed at every step) (default: last)
          --decoder-input K    how the decoder reads it: initial (its first state), every (an input at every step) or
                               both (default: every)
          --feed-previous K    on: the decoder also reads the previous day's value (the true one in training, its own
                               forecast when forecasting); off (default)

        Evaluation (the hold-out is always the last 15% of the windows)
          --folds N            also a walk-forward report over the training windows: N consecutive blocks, each scored by
                               a network trained only on the windows before it (default: 0, none)

        Output
          --out DIR            folder for model.zip, the plots and the hold-out forecasts CSV (default: stock-output)
          --live               replay the hold-out one day at a time through a streaming engine (an N vs N network on
                               daily log returns) and print each day's forecast as it arrives
          --quick              a small, fast run (a short generated series and 2 epochs) for smoke tests
          --help, -h           show this text

        """;

    /// <summary>The price CSV to read, or null to generate a series.</summary>
    public string? CsvPath { get; init; }

    /// <summary>The price column to forecast (a header name such as "Close" or "Adj Close").</summary>
    public string Column { get; init; } = "Close";

    /// <summary>Length of the generated series.</summary>
    public int Days { get; init; } = 4000;

    /// <summary>Seed of the generated series and of the MLContext.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Steps per window.</summary>
    public int Window { get; init; } = 50;

    /// <summary>Steps ahead to forecast.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Days 1..Ahead forecast at once by the encoder–decoder; 1 runs the one-day comparison only.</summary>
    public int Ahead { get; init; } = 1;

    /// <summary>The encoder–decoder's context (with <see cref="Ahead"/> &gt; 1).</summary>
    public RnnContext Context { get; init; } = RnnContext.LastState;

    /// <summary>How the encoder–decoder's decoder reads the context (with <see cref="Ahead"/> &gt; 1).</summary>
    public RnnDecoderInput DecoderInput { get; init; } = RnnDecoderInput.EveryStep;

    /// <summary>Whether the encoder–decoder's decoder reads the previous day's value (with <see cref="Ahead"/> &gt; 1).</summary>
    public bool FeedPreviousOutput { get; init; }

    /// <summary>True when the run forecasts several days at once (<c>--ahead H</c>, H &gt; 1).</summary>
    public bool IsMultiStep => Ahead > 1;

    /// <summary>Per-window normalisation.</summary>
    public SequenceWindowNormalization Normalization { get; init; } = SequenceWindowNormalization.RelativeToLast;

    /// <summary>The recurrent cell.</summary>
    public RnnCellType Cell { get; init; } = RnnCellType.Lstm;

    /// <summary>Hidden units per layer.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>The most training epochs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Early stopping: epochs without a lower validation loss before training stops; 0 turns it off.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>What the networks predict: a distribution per forecast (its mean is the point forecast; its central
    /// <see cref="ConfidenceLevel"/> interval is reported), or <see cref="RnnDistribution.None"/> for a point forecast.</summary>
    public RnnDistribution Distribution { get; init; } = RnnDistribution.StudentT;

    /// <summary>The probability of the reported intervals (the trainer's <c>ConfidenceLevel</c>).</summary>
    public const float ConfidenceLevel = 0.95f;

    /// <summary>True when the networks predict a distribution, so the run reports intervals.</summary>
    public bool HasIntervals => Distribution != RnnDistribution.None;

    /// <summary>The distribution's name for the report: "Student-t", "Normal" or "none".</summary>
    public string DistributionName => DistributionText(Distribution);

    /// <summary>"Student-t", "Normal" or "none".</summary>
    public static string DistributionText(RnnDistribution distribution) => distribution switch
    {
        RnnDistribution.StudentT => "Student-t",
        RnnDistribution.Normal => "Normal",
        _ => "none",
    };

    /// <summary>Folds of the walk-forward report over the training windows; 0 writes none.</summary>
    public int Folds { get; init; }

    /// <summary>Output folder.</summary>
    public string OutputDirectory { get; init; } = "stock-output";

    /// <summary>Replay the hold-out one day at a time through a streaming engine (<c>--live</c>).</summary>
    public bool Live { get; init; }

    /// <summary>A small, fast run.</summary>
    public bool Quick { get; init; }

    /// <summary>Print the help text and do nothing else.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Parses a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The options.</returns>
    /// <exception cref="SampleOptionsException">An unknown option, a missing or malformed value, or a value out of range.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SampleOptions();
        bool daysGiven = false, epochsGiven = false;
        var decoderOptions = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new SampleOptionsException($"{name} needs a value.");
                }

                return args[++i];
            }

            int Number(int min, int max = int.MaxValue)
            {
                string text = Value();
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                {
                    throw new SampleOptionsException($"{name} needs a whole number; '{text}' is not one.");
                }

                if (value < min || value > max)
                {
                    throw new SampleOptionsException(max == int.MaxValue
                        ? $"{name} must be at least {min}; got {value}."
                        : $"{name} must be between {min} and {max}; got {value}.");
                }

                return value;
            }

            void NoValue()
            {
                if (inlineValue is not null)
                {
                    throw new SampleOptionsException($"{name} takes no value.");
                }
            }

            switch (name)
            {
                case "--help" or "-h" or "-?":
                    NoValue();
                    options = options with { ShowHelp = true };
                    break;
                case "--csv":
                    options = options with { CsvPath = Value() };
                    break;
                case "--column":
                    options = options with { Column = ParseColumn(name, Value()) };
                    break;
                case "--days":
                    options = options with { Days = Number(2) };
                    daysGiven = true;
                    break;
                case "--seed":
                    options = options with { Seed = Number(0) };
                    break;
                case "--window":
                    options = options with { Window = Number(1, 10_000) };
                    break;
                case "--horizon":
                    options = options with { Horizon = Number(1, 10_000) };
                    break;
                case "--ahead":
                    options = options with { Ahead = Number(1, 250) };
                    break;
                case "--context":
                    options = options with { Context = ParseContext(name, Value()) };
                    decoderOptions.Add(name);
                    break;
                case "--decoder-input":
                    options = options with { DecoderInput = ParseDecoderInput(name, Value()) };
                    decoderOptions.Add(name);
                    break;
                case "--feed-previous":
                    options = options with { FeedPreviousOutput = ParseOnOff(name, Value()) };
                    decoderOptions.Add(name);
                    break;
                case "--normalization" or "--normalisation":
                    options = options with { Normalization = ParseNormalization(name, Value()) };
                    break;
                case "--cell":
                    options = options with { Cell = ParseCell(name, Value()) };
                    break;
                case "--hidden":
                    options = options with { Hidden = Number(1, 4096) };
                    break;
                case "--layers":
                    options = options with { Layers = Number(1, 16) };
                    break;
                case "--epochs":
                    options = options with { Epochs = Number(1) };
                    epochsGiven = true;
                    break;
                case "--patience":
                    options = options with { Patience = Number(0) };
                    break;
                case "--distribution":
                    options = options with { Distribution = ParseDistribution(name, Value()) };
                    break;
                case "--folds":
                    options = options with { Folds = Number(0, 20) };
                    break;
                case "--out":
                    options = options with { OutputDirectory = Value() };
                    break;
                case "--live":
                    NoValue();
                    options = options with { Live = true };
                    break;
                case "--quick":
                    NoValue();
                    options = options with { Quick = true };
                    break;
                default:
                    throw new SampleOptionsException($"Unknown option '{arg}'.");
            }
        }

        CheckAhead(options, decoderOptions);
        if (options.Live && (options.IsMultiStep || options.Folds > 0))
        {
            throw new SampleOptionsException("--live replays one day at a time; it does not go with --ahead or --folds.");
        }

        if (options.Quick)
        {
            options = options with
            {
                Days = daysGiven ? options.Days : 750,
                Epochs = epochsGiven ? options.Epochs : 2,
            };
        }

        return options;
    }

    /// <summary>The normalisation in words, for the report.</summary>
    public string NormalizationDescription => Normalization switch
    {
        SequenceWindowNormalization.RelativeToLast => "relative to the window's last value (p/p_last - 1)",
        SequenceWindowNormalization.RelativeToFirst => "relative to the window's first value (p/p_first - 1)",
        _ => "none",
    };

    /// <summary>
    /// The options that do not go with <c>--ahead</c>: <c>--ahead H</c> forecasts every day from 1 to H after the window, so a
    /// single later day (<c>--horizon N</c>, N &gt; 1) would leave days 1..N − 1 out of the recursive forecast's chain (the
    /// one-day model it applies H times must forecast the next day), and the walk-forward report (<c>--folds</c>) is the
    /// one-day run's. The encoder–decoder's own options mean nothing without it.
    /// </summary>
    private static void CheckAhead(SampleOptions options, List<string> decoderOptions)
    {
        if (options.IsMultiStep && options.Horizon > 1)
        {
            throw new SampleOptionsException(
                $"--ahead {options.Ahead} forecasts every day from 1 to {options.Ahead} ahead and needs --horizon 1 (got --horizon {options.Horizon}): " +
                $"the recursive forecast it is compared with chains one-day forecasts. Use --horizon {options.Horizon} alone for day " +
                $"{options.Horizon}, or --ahead {Math.Max(options.Ahead, options.Horizon)} for days 1 to {Math.Max(options.Ahead, options.Horizon)}.");
        }

        if (options.IsMultiStep && options.Folds > 0)
        {
            throw new SampleOptionsException(
                $"--folds is the one-day run's walk-forward report; --ahead {options.Ahead} does not make one. Leave out one of them.");
        }

        if (!options.IsMultiStep && decoderOptions.Count > 0)
        {
            throw new SampleOptionsException(
                $"{decoderOptions[0]} sets up the encoder-decoder of --ahead H, which runs only for H > 1 (got --ahead {options.Ahead}). " +
                "Add --ahead H, for example --ahead 5.");
        }

        if (options.Context == RnnContext.Attention && options.DecoderInput == RnnDecoderInput.InitialState)
        {
            throw new SampleOptionsException(
                "--context attention is recomputed at every decoder step, so it needs --decoder-input every or both (got initial).");
        }
    }

    /// <summary>The encoder–decoder's options in words, for the report.</summary>
    public string DecoderDescription
    {
        get
        {
            string context = Context switch
            {
                RnnContext.LastState => "the encoder's last state",
                RnnContext.Projected => "tanh(W h_T + b) of the encoder's last state",
                _ => "attention over the encoder's steps",
            };
            string reads = DecoderInput switch
            {
                RnnDecoderInput.InitialState => "as its initial state",
                RnnDecoderInput.EveryStep => "as an input at every step",
                _ => "as its initial state and an input at every step",
            };
            return $"context {context}, read {reads}" + (FeedPreviousOutput ? "; each step also reads the previous day's value" : "");
        }
    }

    private static RnnContext ParseContext(string name, string value) => value.ToLowerInvariant() switch
    {
        "last" => RnnContext.LastState,
        "projected" => RnnContext.Projected,
        "attention" => RnnContext.Attention,
        _ => throw new SampleOptionsException($"{name} must be last, projected or attention; got '{value}'."),
    };

    private static RnnDecoderInput ParseDecoderInput(string name, string value) => value.ToLowerInvariant() switch
    {
        "initial" => RnnDecoderInput.InitialState,
        "every" => RnnDecoderInput.EveryStep,
        "both" => RnnDecoderInput.InitialStateAndEveryStep,
        _ => throw new SampleOptionsException($"{name} must be initial, every or both; got '{value}'."),
    };

    private static bool ParseOnOff(string name, string value) => value.ToLowerInvariant() switch
    {
        "on" => true,
        "off" => false,
        _ => throw new SampleOptionsException($"{name} must be on or off; got '{value}'."),
    };

    private static string ParseColumn(string name, string value) => DailyPrice.FindProperty(value) is null
        ? throw new SampleOptionsException($"{name} must be one of {string.Join(", ", DailyPrice.Columns.Select(c => c.Header))}; got '{value}'.")
        : value;

    private static RnnDistribution ParseDistribution(string name, string value) => value.ToLowerInvariant() switch
    {
        "none" => RnnDistribution.None,
        "normal" => RnnDistribution.Normal,
        "studentt" or "student-t" or "t" => RnnDistribution.StudentT,
        _ => throw new SampleOptionsException($"{name} must be none, normal or studentt; got '{value}'."),
    };

    private static RnnCellType ParseCell(string name, string value) => value.ToLowerInvariant() switch
    {
        "rnn" => RnnCellType.Rnn,
        "lstm" => RnnCellType.Lstm,
        "gru" => RnnCellType.Gru,
        _ => throw new SampleOptionsException($"{name} must be rnn, lstm or gru; got '{value}'."),
    };

    private static SequenceWindowNormalization ParseNormalization(string name, string value) => value.ToLowerInvariant() switch
    {
        "last" => SequenceWindowNormalization.RelativeToLast,
        "first" => SequenceWindowNormalization.RelativeToFirst,
        "none" => SequenceWindowNormalization.None,
        _ => throw new SampleOptionsException($"{name} must be last, first or none; got '{value}'."),
    };
}
