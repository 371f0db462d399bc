using System.Diagnostics;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Benchmarks;

/// <summary>
/// <c>quick-seq2seq</c>: a Stopwatch table of the encoder–decoder training step and its parts (forward, loss, backward,
/// Adam), medians over many steps, and the bytes allocated per step on all threads after warm-up. For finding where
/// the time goes; <see cref="Seq2SeqTrainingStepBenchmarks"/> gives the figures to quote.
/// </summary>
internal static class QuickSeq2Seq
{
    public static void Run(string filter, int repeats = 200)
    {
        var (one, five, fifteen) = LoadAverage();
        Console.WriteLine($"load average (1, 5, 15 min): {one} {five} {fifteen}");
        Console.WriteLine("| case | threads | step (ms) | forward | loss | backward | Adam | B/step |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (string name in new[] { "seq2seq-lstm-b32-t7-12-128-12-m4-last", "seq2seq-lstm-b32-t7-12-128-12-m4-attention" })
        {
            if (!name.Contains(filter, StringComparison.Ordinal))
                continue;
            foreach (int threads in new[] { 1, 2 })
                Measure(name, threads, repeats);
        }
    }

    private static void Measure(string name, int threads, int repeats)
    {
        Seq2SeqBenchmarkCase c = Seq2SeqBenchmarkCase.Parse(name);
        var options = new RnnTrainingOptions { Threads = threads, Loss = RnnLoss.SoftmaxCrossEntropy };
        var network = new RnnNetwork(c.Shape, seed: 0);
        var session = new RnnTrainingSession(network, options);
        int batch = c.Sequence.Batch, steps = c.Sequence.Steps;
        int[] lengths = Enumerable.Repeat(steps, batch).ToArray();
        float[] inputs = RnnBenchmarkCase.Random(batch * steps * c.Sequence.Features, 1);
        float[] targets = Seq2SeqBenchmarkCase.Classes(batch * c.OutputLength, c.Sequence.Outputs, 2);
        var sequences = new SequenceBatch(inputs, lengths, steps);

        // The whole step through the public session.
        for (int i = 0; i < 20; i++)
            session.TrainStep(sequences, targets);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        var total = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.TrainStep(sequences, targets);
            total[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        long allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / repeats;
        long threadAllocated = (GC.GetAllocatedBytesForCurrentThread() - threadBefore) / repeats;

        // Its parts, run as the session runs them.
        var computation = new RnnComputation(network, threads);
        Optimizer optimizer = Optimizer.Create(options, network.Layout.TotalLength);
        var gradients = new float[network.Layout.TotalLength];
        var forward = new double[repeats];
        var loss = new double[repeats];
        var backward = new double[repeats];
        var adam = new double[repeats];
        float[] dOutput = [];
        long forwardBytes = 0, backwardBytes = 0;
        for (int i = -20; i < repeats; i++)
        {
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            ReadOnlySpan<float> output = computation.Forward(sequences, training: true, targets: targets);
            long t1 = Stopwatch.GetTimestamp();
            long a1 = GC.GetAllocatedBytesForCurrentThread();
            Span<float> d = Buffers.Ensure(ref dOutput, output.Length);
            LossFunction.Compute(options.Loss, c.Shape.HeadStructure, output, targets, lengths, steps, c.Sequence.Outputs, d);
            long t2 = Stopwatch.GetTimestamp();
            long a2 = GC.GetAllocatedBytesForCurrentThread();
            computation.Backward(d, gradients);
            long t3 = Stopwatch.GetTimestamp();
            long a3 = GC.GetAllocatedBytesForCurrentThread();
            if (i >= 0)
            {
                forwardBytes += a1 - a0;
                backwardBytes += a3 - a2;
            }
            GradientClipping.GlobalNorm(gradients);
            optimizer.Step(network.Values, gradients);
            long t4 = Stopwatch.GetTimestamp();
            if (i < 0)
                continue;
            forward[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            loss[i] = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
            backward[i] = Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
            adam[i] = Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
        }

        Console.WriteLine($"| {name} | {threads} | {Median(total):F3} | {Median(forward):F3} | {Median(loss):F4} | {Median(backward):F3} | {Median(adam):F4} | {allocated} (this thread {threadAllocated}; forward {forwardBytes / repeats}, backward {backwardBytes / repeats}) |");
    }

    /// <summary>
    /// <c>quick-seq2seq fingerprint</c>: a hash of the losses, the last gradient and the parameters after a few Adam
    /// steps of several encoder–decoders, on 1 and 2 threads, to check that a change leaves every bit as it was.
    /// </summary>
    public static void Fingerprint()
    {
        RnnNetworkShape[] shapes =
        [
            Seq2SeqBenchmarkCase.Parse("seq2seq-lstm-b32-t7-12-128-12-m4-last").Shape,
            Seq2SeqBenchmarkCase.Parse("seq2seq-lstm-b32-t7-12-128-12-m4-attention").Shape,
            new RnnNetworkShape(RnnCellType.Gru, 5, 16, 3, 2, Bidirectional: true, Head: RnnHead.EncoderDecoder)
            {
                OutputLength = 3, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.EveryStep, OutputFeedback = RnnOutputFeedback.Class,
            },
            new RnnNetworkShape(RnnCellType.Lstm, 5, 16, 3, 2, Head: RnnHead.EncoderDecoder)
            {
                OutputLength = 5, Context = RnnContext.Attention, DecoderInput = RnnDecoderInput.InitialStateAndEveryStep, OutputFeedback = RnnOutputFeedback.Class,
            },
            new RnnNetworkShape(RnnCellType.Lstm, 5, 16, 3, 2, Head: RnnHead.EncoderDecoder)
            {
                OutputLength = 4, Context = RnnContext.Projected, DecoderInput = RnnDecoderInput.InitialStateAndEveryStep, OutputFeedback = RnnOutputFeedback.Class,
            },
        ];
        foreach (RnnNetworkShape shape in shapes)
            foreach (int threads in new[] { 1, 2 })
            {
                var network = new RnnNetwork(shape, seed: 3);
                var session = new RnnTrainingSession(network, new RnnTrainingOptions { Threads = threads, Loss = RnnLoss.SoftmaxCrossEntropy });
                int batch = 40, steps = 7;
                int[] lengths = Enumerable.Range(0, batch).Select(i => 1 + (i * 5) % steps).ToArray();
                if (shape.HiddenSize == 128)
                    lengths.AsSpan().Fill(steps);
                float[] inputs = RnnBenchmarkCase.Random(batch * steps * shape.InputSize, 4);
                float[] targets = Seq2SeqBenchmarkCase.Classes(batch * shape.OutputLength, shape.OutputSize, 5);
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                for (int i = 0; i < 4; i++)
                {
                    float loss = session.TrainStep(new SequenceBatch(inputs, lengths, steps), targets);
                    hash.AppendData(BitConverter.GetBytes(loss));
                }

                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(session.Gradients));
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(network.Parameters));
                Console.WriteLine($"{shape.Cell} {shape.Context} {shape.DecoderInput} {shape.OutputFeedback} layers {shape.NumberOfLayers} threads {threads}: "
                    + Convert.ToHexString(hash.GetHashAndReset())[..16]);
            }
    }

    private static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static (string, string, string) LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return (parts[0], parts[1], parts[2]);
        }
        catch (IOException)
        {
            return ("?", "?", "?");
        }
    }
}
