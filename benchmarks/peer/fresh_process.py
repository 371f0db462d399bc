"""Training speed as a user's process sees it, against PyTorch, in one run (issue 14).

    /usr/bin/python3 benchmarks/peer/fresh_process.py [--processes 3] [--fits 4] [--cases tutorial rnn lstm gru]

For each case, starts --processes fresh processes of the benchmark program (`fresh-fit CASE THREADS FITS`), each of
which fits the case's N vs N regression through the public API (`mlContext.Regression.Trainers.Rnn(...).Fit`) --fits
times (5 epochs; 100 steps per epoch for the tutorial's batch of 2, 4 for the batch-64 cases), then times the bare
core step right away and again after three seconds of warm-up (the steady state BenchmarkDotNet measures). PyTorch
runs the same shapes (torch_rnn.py, its median step after warm-up, best of 1 and 2 threads) in the same run.

Printed per case (medians over the processes):
- first Fit: the first Fit of the process, per optimizer step: the median of its 5 epochs, and the mean over all its
  steps (which includes compiling the code on the first steps);
- later Fits: the median epoch of the process's other Fits, per step;
- core: the bare core step in steady state; cold / steady = first Fit's median epoch / core;
- outside the core: (wall time of a later Fit - its steps x the bare core step timed right after the Fits, in the JIT
  state they ran in) / epochs, as a share of 100 such steps: the per-Fit setup and the per-epoch and per-batch work
  around the core (reading, batching, history, progress), against a 100-step epoch;
- PyTorch's best median step, and PyTorch / ours for the first Fit (median epoch and all steps).

Needs the .NET SDK and Debian's python3-torch with libopenblas0-pthread (run with /usr/bin/python3).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from compare import torch_medians  # the PyTorch peer, as compare.py runs it

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT = os.path.join(ROOT, "benchmarks", "Microsoft.ML.Rnn.Benchmarks")
PROGRAM = os.path.join(PROJECT, "bin", "Release", "net10.0", "Microsoft.ML.Rnn.Benchmarks.dll")

# name -> (benchmark case, our threads): the shapes of docs/benchmarks.md; batch 64 runs on both cores.
CASES = {
    "tutorial": ("tutorial-rnn-b2-t30-3-5-4", 1),
    "rnn": ("rnn-b64-t50-8-128-1", 2),
    "lstm": ("lstm-b64-t50-8-128-1", 2),
    "gru": ("gru-b64-t50-8-128-1", 2),
}
STEPS_PER_EPOCH = {"tutorial": 100, "rnn": 4, "lstm": 4, "gru": 4}


def fresh_process(case, threads, fits):
    output = subprocess.run(["dotnet", PROGRAM, "fresh-fit", case, str(threads), str(fits)],
                            check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    fit_lines = [line for line in lines if "fit" in line]
    core = next(line for line in lines if "core_step_us" in line)
    return fit_lines, core["core_step_now_us"], core["core_step_us"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--fits", type=int, default=4)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    args = parser.parse_args()

    subprocess.run(["dotnet", "build", PROJECT, "-c", "Release", "--nologo", "-v", "q"], check=True, capture_output=True)
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    torch = [{case: ms * 1e3 for case, ms in torch_medians(threads, 50, ["rnn"])[1].items()} for threads in (1, 2)]

    rows = []
    for name in args.cases:
        case, threads = CASES[name]
        first_median, first_mean, later, cores, outside = [], [], [], [], []
        for _ in range(args.processes):
            fits, core_now, core = fresh_process(case, threads, args.fits)
            first = fits[0]["epoch_step_us"]
            first_median.append(statistics.median(first))
            first_mean.append(statistics.fmean(first))
            later.append(statistics.median([e for fit in fits[1:] for e in fit["epoch_step_us"]]))
            cores.append(core)
            epochs = len(first)
            per_epoch = [(fit["wall_ms"] * 1e3 - fit["steps"] * core_now) / epochs for fit in fits[1:]]
            outside.append(statistics.median(per_epoch) / (100 * core_now))
        peer = min(t[case] for t in torch if case in t)
        rows.append((name, threads, statistics.median(first_median), statistics.median(first_mean), statistics.median(later),
                     statistics.median(cores), statistics.median(outside), peer))

    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print()
    print("| case | threads | first Fit, median epoch (µs/step) | first Fit, all steps | later Fits | core, steady | cold / steady "
          "| outside the core, % of a 100-step epoch | PyTorch best (µs/step) | PyTorch / first Fit (median epoch) | PyTorch / first Fit (all steps) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, threads, first_median, first_mean, later, core, outside, peer in rows:
        print(f"| {CASES[name][0]} | {threads} | {first_median:,.1f} | {first_mean:,.1f} | {later:,.1f} | {core:,.1f} | "
              f"{first_median / core:.2f} | {100 * outside:.1f}% | {peer:,.1f} | {peer / first_median:.1f}× | {peer / first_mean:.1f}× |")


if __name__ == "__main__":
    main()
