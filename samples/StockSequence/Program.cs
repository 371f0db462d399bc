// StockSequence: daily prices (a CSV or a generated series) -> sequence windows -> an RNN and naive baselines -> hold-out
// table and verdict -> model.zip, reloaded to forecast the next days -> plots.
// See SampleOptions.HelpText, or run with --help.
return StockSequence.StockSequenceApp.Run(args, Console.Out, Console.Error);
