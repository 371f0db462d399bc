using StockSequence.Data;

namespace StockSequence;

/// <summary>The command-line entry point, separate from <c>Program</c> so tests can run it in-process.</summary>
public static class StockSequenceApp
{
    /// <summary>Parses the arguments, runs the sample and reports errors without stack traces.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>The exit code: 0 on success, 1 when the data cannot be used, 2 for a bad command line or an output folder
    /// that cannot take the results.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        SampleOptions options;
        try
        {
            options = SampleOptions.Parse(args);
        }
        catch (SampleOptionsException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("Run with --help to see the options.");
            return 2;
        }

        if (options.ShowHelp)
        {
            output.Write(SampleOptions.HelpText);
            return 0;
        }

        try
        {
            if (options.Live)
            {
                new Live.LiveReplay(options, output).Execute();
            }
            else if (options.IsMultiStep)
            {
                new AheadForecastRun(options, output).Execute();
            }
            else
            {
                new StockForecastRun(options, output).Execute();
            }

            return 0;
        }
        catch (OutputFolderException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is CsvFormatException or FileNotFoundException or ArgumentException or InvalidOperationException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
