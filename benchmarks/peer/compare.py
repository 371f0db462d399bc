#!/usr/bin/python3
"""Microsoft.ML.Rnn against PyTorch on the same shapes, in one run; prints a markdown table with the ratios.

    /usr/bin/python3 benchmarks/peer/compare.py [--threads 1 2] [--repeats 50] [--skip-dotnet]

1. PyTorch (torch_rnn.py), one process per thread count.
2. The BenchmarkDotNet cases TrainingStepBenchmarks and PredictBenchmarks (1 launch, 3 warm-ups, 15 iterations),
   read back from their JSON report.
3. PyTorch again, so that a change in machine load between the two shows up as a spread; the table uses the
   lower of the two PyTorch medians (the fairer figure for PyTorch).
Ratios are PyTorch time / our time at the same thread count, and against PyTorch's best thread count.
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


def torch_medians(threads, repeats):
    output = subprocess.run([sys.executable, os.path.join(HERE, "torch_rnn.py"), "--threads", str(threads), "--repeats", str(repeats)],
                            check=True, capture_output=True, text=True).stdout
    report = json.loads(output)
    return report["torch"], {r["case"]: r["median_ms"] for r in report["results"]}


def dotnet_medians():
    artifacts = os.path.join(ROOT, "BenchmarkDotNet.Artifacts")
    subprocess.run(["dotnet", "run", "-c", "Release", "--project", PROJECT, "--",
                    "--filter", "*TrainingStepBenchmarks*", "*PredictBenchmarks*",
                    "--launchCount", "1", "--warmupCount", "3", "--iterationCount", "15",
                    "--exporters", "json", "--artifacts", artifacts],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    medians = {}
    for path in glob.glob(os.path.join(artifacts, "results", "*-report-full-compressed.json")):
        with open(path) as f:
            for benchmark in json.load(f)["Benchmarks"]:
                parameters = dict(p.split("=", 1) for p in benchmark["Parameters"].split("&"))
                threads = int(parameters.get("Threads", "1"))
                medians[(parameters["Case"], threads)] = (benchmark["Statistics"]["Median"] / 1e6,
                                                          benchmark["Memory"]["BytesAllocatedPerOperation"])
    return medians


def training_gflop(case):
    """Floating-point operations of one training step (GEMMs only), in GFLOP."""
    parts = case.split("-")
    i = next(k for k, p in enumerate(parts) if p in GATES)
    gates = GATES[parts[i]]
    batch, steps, features, hidden, outputs = int(parts[i + 1][1:]), int(parts[i + 2][1:]), *map(int, parts[i + 3:i + 6])
    rows, gate_width = batch * steps, gates * hidden
    forward = 2 * rows * gate_width * (features + hidden) + 2 * rows * hidden * outputs
    backward = 2 * rows * gate_width * (2 * hidden + features) + 4 * rows * hidden * outputs
    return (forward + backward) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)
    before = {t: torch_medians(t, args.repeats) for t in args.threads}
    ours = dotnet_medians()
    after = {t: torch_medians(t, args.repeats) for t in args.threads}
    version = before[args.threads[0]][0]
    torch = {(case, t): min(before[t][1][case], after[t][1][case]) for t in args.threads for case in before[t][1]}
    spread = {(case, t): max(before[t][1][case], after[t][1][case]) / torch[(case, t)] for (case, t) in torch}
    cases = sorted({case for case, _ in torch}, key=lambda c: (c.startswith("predict"), c))

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
