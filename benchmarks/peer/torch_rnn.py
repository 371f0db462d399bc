"""PyTorch timings for the shapes of the Microsoft.ML.Rnn benchmarks (RnnBenchmarks.cs).

Prints one JSON object: {"torch": version, "threads": n, "results": [{"case", "median_ms", "samples"}...]}.
Each case mirrors a C# benchmark exactly: same cell, sizes, head, loss and optimizer.

    /usr/bin/python3 benchmarks/peer/torch_rnn.py --threads 1 [--repeats 50]

One thread count per process: OpenBLAS's own thread pool is sized from OPENBLAS_NUM_THREADS when it loads and
does not follow torch.set_num_threads alone, so the variables are set before torch is imported.

Needs Debian's python3-torch with libopenblas0-pthread (without OpenBLAS, torch falls back to reference BLAS).
"""
import argparse
import json
import os
import statistics
import sys
import time


def _threads_from_arguments():
    for i, argument in enumerate(sys.argv):
        if argument == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
    return "1"


for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = _threads_from_arguments()

import torch  # noqa: E402  (after the thread variables)
import torch.nn as nn  # noqa: E402


class Model(nn.Module):
    """The module whose state_dict names the C# core uses: rnn (batch_first) + head (nn.Linear)."""

    def __init__(self, cell, input_size, hidden_size, output_size, many_to_many):
        super().__init__()
        rnn_cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn_cls(input_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, output_size)
        self.many_to_many = many_to_many

    def forward(self, x, h0=None):
        out, h_n = self.rnn(x, h0)
        if self.many_to_many:
            return self.head(out), h_n
        last = h_n[0][-1] if isinstance(h_n, tuple) else h_n[-1]
        return self.head(last), h_n


# (name, cell, batch, steps, features, hidden, outputs, many_to_many): the C# benchmark's cases.
TRAINING_CASES = [
    ("tutorial-rnn-b2-t30-3-5-4", "rnn", 2, 30, 3, 5, 4, True),
    ("rnn-b64-t50-8-128-1", "rnn", 64, 50, 8, 128, 1, True),
    ("lstm-b64-t50-8-128-1", "lstm", 64, 50, 8, 128, 1, True),
    ("gru-b64-t50-8-128-1", "gru", 64, 50, 8, 128, 1, True),
]
PREDICT_CASE = ("predict-lstm-t30-5-64-1", "lstm", 1, 30, 5, 64, 1, False)


def median_ms(step, repeats, warmup=10):
    for _ in range(warmup):
        step()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(samples), len(samples)


def training_step(case):
    _, cell, batch, steps, features, hidden, outputs, many_to_many = case
    torch.manual_seed(0)
    model = Model(cell, features, hidden, outputs, many_to_many)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    x = torch.randn(batch, steps, features)
    y = torch.randn(batch, steps, outputs) if many_to_many else torch.randn(batch, outputs)

    def step():
        output, _ = model(x)
        loss = loss_fn(output, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def predict(case):
    _, cell, batch, steps, features, hidden, outputs, many_to_many = case
    torch.manual_seed(0)
    model = Model(cell, features, hidden, outputs, many_to_many).eval()
    x = torch.randn(batch, steps, features)

    def step():
        with torch.no_grad():
            model(x)

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for case in TRAINING_CASES:
        median, samples = median_ms(training_step(case), args.repeats)
        results.append({"case": case[0], "median_ms": median, "samples": samples})
    median, samples = median_ms(predict(PREDICT_CASE), args.repeats * 20)
    results.append({"case": PREDICT_CASE[0], "median_ms": median, "samples": samples})
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}))


if __name__ == "__main__":
    main()
