using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML.Rnn.Benchmarks;

// `quick` prints a Stopwatch GFLOP/s table in seconds; anything else goes to BenchmarkDotNet,
// e.g. `--filter '*Gemm*' --job short`.
if (args is ["quick", ..])
{
    QuickGemm.Run(args.Length > 1 ? args[1] : "");
    return;
}

// `quick-seq2seq` prints a Stopwatch table of the encoder–decoder training step and its parts.
if (args is ["quick-seq2seq", "fingerprint"])
{
    QuickSeq2Seq.Fingerprint();
    return;
}

if (args is ["quick-seq2seq", ..])
{
    QuickSeq2Seq.Run(args.Length > 1 ? args[1] : "");
    return;
}

// `quick-predict` separates one-sequence prediction's cost per call and per step.
if (args is ["quick-predict"])
{
    QuickPredict.Run();
    return;
}

// `fresh-fit CASE THREADS [FITS]` times Fit through the public API in this (fresh) process: benchmarks/peer/fresh_process.py.
if (args is ["fresh-fit", string caseName, string threads, ..])
{
    FreshProcessFit.Run(caseName, FreshProcessFit.ParseInt(threads), args.Length > 3 ? FreshProcessFit.ParseInt(args[3]) : 4);
    return;
}

// Case names are long (they encode the shape); keep them whole in reports, which benchmarks/peer/compare.py reads.
var config = DefaultConfig.Instance.WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(64));
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args, config);
