#!/usr/bin/python3
"""OpenBLAS sgemm throughput (through PyTorch and NumPy) on the GEMM benchmark's shapes.

Run with Debian's packages: apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 benchmarks/peer/sgemm_peak.py [--threads 1 2] [--seconds 0.5]

Prints GFLOP/s (2*M*N*K per call, best of several timed batches) per shape and thread count,
with the same names as GemmShape.HotShapes in the C# benchmarks. Each thread count runs in its
own process with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS set, because OpenBLAS's pthread pool does
not follow torch.set_num_threads alone. The machine should be otherwise idle: the load average
is printed first.
"""
import argparse
import json
import os
import subprocess
import sys
import time

# (name, variant, m, n, k); variant as in the C# benchmarks: NT = A*B^T, NN = A*B, TN = A^T*B.
SHAPES = [
    ("step h·Whhᵀ", "NT", 64, 512, 128),
    ("input X·Wihᵀ", "NT", 3200, 512, 8),
    ("dWhh dGᵀ·H", "TN", 512, 128, 3200),
    ("dWih dGᵀ·X", "TN", 512, 8, 3200),
    ("dh dG·Whh", "NN", 64, 128, 512),
    ("predict Whh·h", "NT", 1, 512, 128),
    ("tutorial", "NT", 2, 5, 3),
    ("square", "NN", 1024, 1024, 1024),
]


def operands(make, variant, m, n, k):
    """Row-major operands stored as the C# API takes them; transposes are views, as BLAS sees them."""
    if variant == "NT":
        return make(m, k), make(n, k).T
    if variant == "NN":
        return make(m, k), make(k, n)
    return make(k, m).T, make(k, n)


def best_seconds(run, seconds):
    run()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 8:
        run()
        calls += 1
    calls = max(calls, 1)
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def worker(threads, seconds):
    """Measures every shape with torch.mm and numpy.matmul in this process; prints one JSON line."""
    import numpy
    import torch

    torch.set_num_threads(threads)
    rng = numpy.random.default_rng(42)
    results = []
    for name, variant, m, n, k in SHAPES:
        flops = 2.0 * m * n * k
        a, b = operands(lambda r, c: torch.rand(r, c, dtype=torch.float32), variant, m, n, k)
        c = torch.empty(m, n, dtype=torch.float32)
        torch_s = best_seconds(lambda: torch.mm(a, b, out=c), seconds)
        na, nb = operands(lambda r, c: rng.random((r, c), dtype=numpy.float32), variant, m, n, k)
        nc = numpy.empty((m, n), dtype=numpy.float32)
        numpy_s = best_seconds(lambda: numpy.matmul(na, nb, out=nc), seconds)
        results.append({"torch": flops / torch_s / 1e9, "numpy": flops / numpy_s / 1e9})

    # Cores actually busy during a big product: checks that the thread setting took effect.
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(10):
        torch.mm(a, b)
    busy = (time.process_time() - cpu) / (time.perf_counter() - wall)
    print(json.dumps({"threads": threads, "torch_version": torch.__version__, "busy": busy, "results": results}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per shape, library and thread count")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seconds)
        return

    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
    runs = []
    for threads in args.threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, __file__, "--worker", str(threads), "--seconds", str(args.seconds)],
                             env=env, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    print(f"torch {runs[0]['torch_version']} on OpenBLAS (libblas.so.3 alternative); GFLOP/s")
    print("cores busy during a 1024^3 product: " + ", ".join(f"{r['threads']} thread(s): {r['busy']:.2f}" for r in runs))
    header = f"{'shape':36}" + "".join(f"{'torch ' + str(r['threads']) + 't':>11}{'numpy ' + str(r['threads']) + 't':>11}" for r in runs)
    print(header)
    for i, (name, variant, m, n, k) in enumerate(SHAPES):
        row = f"{name + ' ' + variant + ' ' + f'{m}x{n}x{k}':36}"
        for r in runs:
            row += f"{r['results'][i]['torch']:11.2f}{r['results'][i]['numpy']:11.2f}"
        print(row)


if __name__ == "__main__":
    main()
