// StockSequence: load daily prices (a CSV or a generated series) -> sequence windows -> forecasters -> hold-out table.
// See SampleOptions.HelpText, or run with --help.
return StockSequence.StockSequenceApp.Run(args, Console.Out, Console.Error);
