"""PyTorch timings of the encoder-decoder benchmarks (Seq2SeqTrainingStepBenchmarks.cs).

Prints one JSON object: {"torch": version, "threads": n, "results": [{"case", "median_ms", "samples"}...]}, as
torch_rnn.py does. Each case runs the reference module the C# core is tested against
(tests/fixtures/seq2seq_reference.py, `Seq2SeqReference`) on the C# benchmark's shape: same cell, sizes, context,
decoder input, loss (softmax cross-entropy over the M output steps) and optimizer (Adam, lr 1e-3).

    /usr/bin/python3 benchmarks/peer/torch_seq2seq.py --threads 1 [--repeats 50]

One thread count per process, for the reason torch_rnn.py gives (OpenBLAS sizes its pool when it loads).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "fixtures"))

from torch_rnn import median_ms  # noqa: E402  (sets the thread variables before torch loads)
import torch  # noqa: E402
from seq2seq_reference import Seq2SeqReference, sequence_loss  # noqa: E402

CONTEXTS = {"last": "last_state", "projected": "projected", "attention": "attention"}

# (name, cell, batch, steps, features, hidden, classes, output steps, context): the C# benchmark's cases.
TRAINING_CASES = [
    ("seq2seq-lstm-b32-t7-12-128-12-m4-last", "lstm", 32, 7, 12, 128, 12, 4, "last"),
    ("seq2seq-lstm-b32-t7-12-128-12-m4-attention", "lstm", 32, 7, 12, 128, 12, 4, "attention"),
]


def training_step(case):
    _, cell, batch, steps, features, hidden, classes, output_length, context = case
    torch.manual_seed(0)
    model = Seq2SeqReference(cell=cell, input_size=features, hidden_size=hidden, num_layers=1, bidirectional=False,
                             output_size=classes, head="encoder_decoder", output_length=output_length,
                             context=CONTEXTS[context], decoder_input="every_step", feedback="none")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, steps, features)
    lengths = [steps] * batch
    y = torch.randint(classes, (batch, output_length))

    def step():
        loss = sequence_loss("ce", model(x, lengths), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

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
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}))


if __name__ == "__main__":
    main()
