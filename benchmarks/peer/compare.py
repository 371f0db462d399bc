#!/usr/bin/python3
"""Microsoft.ML.Rnn against PyTorch on the same shapes, in one run; prints a markdown table with the ratios.

    /usr/bin/python3 benchmarks/peer/compare.py [--cases all|rnn|seq2seq] [--threads 1 2] [--repeats 50]

1. PyTorch, one process per thread count: torch_rnn.py (rnn cases) and torch_seq2seq.py (seq2seq cases, the
   reference module of tests/fixtures/seq2seq_reference.py).
2. The BenchmarkDotNet cases (1 launch, 3 warm-ups, 15 iterations), read back from their JSON report:
   TrainingStepBenchmarks and PredictBenchmarks (rnn), Seq2SeqTrainingStepBenchmarks (seq2seq).
3. PyTorch again, so that a change in machine load between the two shows up as a spread; the table uses the
   lower of the two PyTorch medians (the fairer figure for PyTorch).
Ratios are PyTorch time / our time at the same thread count, and against PyTorch's best thread count.
--cases seq2seq runs the encoder-decoder cases only (about a minute and a half instead of four).
"""
import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROJECT = os.path.join(ROOT, "benchmarks", "Microsoft.ML.Rnn.Benchmarks")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
# Case groups: the peer script and the BenchmarkDotNet classes that time them.
GROUPS = {
    "rnn": ("torch_rnn.py", ["*.TrainingStepBenchmarks.*", "*.PredictBenchmarks.*"]),
    "seq2seq": ("torch_seq2seq.py", ["*.Seq2SeqTrainingStepBenchmarks.*"]),
}


def torch_medians(threads, repeats, groups):
    version, medians = None, {}
    for group in groups:
        script = GROUPS[group][0]
        output = subprocess.run([sys.executable, os.path.join(HERE, script), "--threads", str(threads), "--repeats", str(repeats)],
                                check=True, capture_output=True, text=True).stdout
        report = json.loads(output)
        version = report["torch"]
        medians.update({r["case"]: r["median_ms"] for r in report["results"]})
    return version, medians


def dotnet_medians(groups):
    artifacts = os.path.join(ROOT, "BenchmarkDotNet.Artifacts")
    results = os.path.join(artifacts, "results")
    for stale in glob.glob(os.path.join(results, "*-report-full-compressed.json")):
        os.remove(stale)  # read back this run's reports only
    filters = [f for group in groups for f in GROUPS[group][1]]
    subprocess.run(["dotnet", "run", "-c", "Release", "--project", PROJECT, "--",
                    "--filter", *filters,
                    "--launchCount", "1", "--warmupCount", "3", "--iterationCount", "15",
                    "--buildTimeout", "900",  # BenchmarkDotNet's 2 minutes are not enough on a loaded 2-core machine
                    "--exporters", "json", "--artifacts", artifacts],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    medians = {}
    for path in glob.glob(os.path.join(results, "*-report-full-compressed.json")):
        with open(path) as f:
            for benchmark in json.load(f)["Benchmarks"]:
                parameters = dict(p.split("=", 1) for p in benchmark["Parameters"].split("&"))
                threads = int(parameters.get("Threads", "1"))
                if benchmark["Statistics"] is None:
                    sys.exit(f"BenchmarkDotNet has no result for {benchmark['FullName']}: see the log in {artifacts}")
                medians[(parameters["Case"], threads)] = (benchmark["Statistics"]["Median"] / 1e6,
                                                          benchmark["Memory"]["BytesAllocatedPerOperation"])
    return medians


def training_gflop(case):
    """Floating-point operations of one training step (GEMMs only), in GFLOP."""
    if case.startswith("seq2seq"):
        return seq2seq_training_gflop(case)
    parts = case.split("-")
    i = next(k for k, p in enumerate(parts) if p in GATES)
    gates = GATES[parts[i]]
    batch, steps, features, hidden, outputs = int(parts[i + 1][1:]), int(parts[i + 2][1:]), *map(int, parts[i + 3:i + 6])
    rows, gate_width = batch * steps, gates * hidden
    forward = 2 * rows * gate_width * (features + hidden) + 2 * rows * hidden * outputs
    backward = 2 * rows * gate_width * (2 * hidden + features) + 4 * rows * hidden * outputs
    return (forward + backward) / 1e9


def seq2seq_training_gflop(case):
    """Encoder-decoder training step (seq2seq-cell-bB-tT-F-H-O-mM-context, decoder input every step): GEMMs only, in GFLOP.
    Encoder as training_gflop counts a layer (no input gradient); decoder reading its E = H wide context at every step,
    with the gradient to its input; attention's keys, scores and weighted sums and their gradients."""
    parts = case.split("-")
    gates = GATES[parts[1]]
    batch, steps, features, hidden, outputs = int(parts[2][1:]), int(parts[3][1:]), *map(int, parts[4:7])
    output_steps, context = int(parts[7][1:]), parts[8]
    gate_width, encoder_rows, decoder_rows = gates * hidden, batch * steps, batch * output_steps
    context_width = hidden  # unidirectional encoder: E = H (projected: H too)
    encoder = 2 * encoder_rows * gate_width * (features + hidden) + 2 * encoder_rows * gate_width * (2 * hidden + features)
    decoder = (2 * decoder_rows * gate_width * (context_width + hidden) + 2 * decoder_rows * hidden * outputs
               + 2 * decoder_rows * gate_width * (2 * hidden + 2 * context_width) + 4 * decoder_rows * hidden * outputs)
    extra = 0
    if context == "attention":
        keys = 2 * encoder_rows * hidden * context_width                 # W_a h_s, then dW_a and d h_s: 3 such products
        per_step = 2 * batch * steps * (hidden + context_width)          # scores and weighted sum, forward
        extra = 3 * keys + 3 * output_steps * per_step                   # backward of the step part: about twice the forward
    elif context == "projected":
        extra = 3 * 2 * batch * hidden * hidden
    return (encoder + decoder + extra) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--cases", choices=["all", *GROUPS], default="all",
                        help="rnn: N vs N training and prediction; seq2seq: the encoder-decoder training steps")
    args = parser.parse_args()
    groups = list(GROUPS) if args.cases == "all" else [args.cases]
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)
    before = {t: torch_medians(t, args.repeats, groups) for t in args.threads}
    ours = dotnet_medians(groups)
    after = {t: torch_medians(t, args.repeats, groups) for t in args.threads}
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)
    version = before[args.threads[0]][0]
    torch = {(case, t): min(before[t][1][case], after[t][1][case]) for t in args.threads for case in before[t][1]}
    spread = {(case, t): max(before[t][1][case], after[t][1][case]) / torch[(case, t)] for (case, t) in torch}
    cases = sorted({case for case, _ in torch}, key=lambda c: (c.startswith("seq2seq"), c.startswith("predict"), c))

    print(f"PyTorch {version} (OpenBLAS) vs Microsoft.ML.Rnn; medians in ms; ratio = PyTorch / ours\n")
    print("| case | threads | ours (ms) | ours GFLOP/s | alloc/op (B) | PyTorch (ms) | PyTorch spread | ratio | ratio vs PyTorch's best thread count |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        best_torch = min(torch[(case, t)] for t in args.threads)
        for t in args.threads:
            ours_key = (case, t) if (case, t) in ours else (case, 1)
            if ours_key not in ours or (case, t) not in torch:
                continue
            ms, allocated = ours[ours_key]
            flops = "" if case.startswith("predict") else f"{training_gflop(case) / (ms / 1000):.1f}"
            label = t if ours_key[1] == t else f"{t} (ours: 1)"
            print(f"| {case} | {label} | {ms:.3f} | {flops} | {allocated} | {torch[(case, t)]:.3f} | {spread[(case, t)]:.2f}× "
                  f"| {torch[(case, t)] / ms:.1f}× | {best_torch / ms:.1f}× |")


if __name__ == "__main__":
    main()
