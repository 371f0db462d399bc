using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>A piece of work split into parts that may run on different threads at once.</summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="partCount"/>.</summary>
    void Execute(int part, int partCount);
}

/// <summary>
/// A small pool of persistent threads for per-step work too short for <c>Parallel.For</c>
/// (the recurrent product is ~0.1 ms and runs at every time step). The caller and the workers
/// claim parts from a shared counter until none are left, so a worker that wakes late (or not at
/// all, on a busy machine) costs its share of the time, not the whole job. Workers spin briefly
/// after each job, so back-to-back calls hand off in about a microsecond, then block so an idle
/// pool costs nothing.
/// </summary>
/// <remarks>
/// What a part computes depends only on its index and the part count, never on the thread that
/// runs it, so results are the same whoever runs which part. One job runs at a time: a call made
/// while the pool is busy (another thread's job, or a nested call from inside a part) runs all its
/// parts inline on its own thread. Nothing is allocated per call; the work is read through a
/// pointer to the caller's stack, which stays alive because the caller waits for every part.
/// </remarks>
internal static unsafe class ParallelWorkers
{
    /// <summary>Most parts one job can have (the claim counter keeps the count in 16 bits).</summary>
    public const int MaxParts = ushort.MaxValue;

    /// <summary>How long an idle worker spins for the next job before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object CreationLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;
    private static int s_generation;

    // The current job. Written by its owner before the claim word is published.
    private static delegate*<void*, int, int, void> s_job;
    private static void* s_work;
    private static int s_finished;
    private static ExceptionDispatchInfo? s_failure;

    // generation (32 bits) | part count (16) | next unclaimed part (16): one word, so a claim can
    // never mix up two jobs.
    private static long s_claim;

    /// <summary>The most threads that run parts at once: the caller plus one worker per other core.</summary>
    public static int MaxParallelism { get; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Runs <c>work.Execute(part, partCount)</c> for every part on at most
    /// <paramref name="maxThreads"/> threads (the caller included) and returns when all are done.
    /// An exception from a part is rethrown here after every part has finished.
    /// </summary>
    /// <param name="work">The work; must be a local of the caller (it is read through a pointer).</param>
    /// <param name="partCount">Number of parts, 1 to <see cref="MaxParts"/>; may exceed the thread count.</param>
    /// <param name="maxThreads">Most threads to use; values above <see cref="MaxParallelism"/> are reduced.</param>
    public static void Run<T>(ref T work, int partCount, int maxThreads)
        where T : struct, IParallelWork, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partCount, MaxParts);
        int threads = Math.Min(Math.Min(maxThreads, MaxParallelism), partCount);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int part = 0; part < partCount; part++)
            {
                work.Execute(part, partCount);
            }

            return;
        }

        try
        {
            EnsureWorkers(threads - 1);
            int generation = unchecked(++s_generation);
            s_job = &Invoke<T>;
            s_work = Unsafe.AsPointer(ref work);
            s_failure = null;
            s_finished = 0;
            Volatile.Write(ref s_claim, ((long)generation << 32) | ((long)partCount << 16));
            for (int w = 0; w < threads - 1; w++)
            {
                s_workers[w].Post(generation);
            }

            RunClaimedParts(generation);

            // The workers read the caller's stack: never return before their parts are done.
            SpinWait wait = default;
            while (Volatile.Read(ref s_finished) != partCount)
            {
                wait.SpinOnce(sleep1Threshold: -1);
            }

            s_failure?.Throw();
        }
        finally
        {
            s_work = null;
            s_failure = null;
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>The units [Start, End) of part <paramref name="part"/> when <paramref name="count"/> units are split evenly.</summary>
    public static (int Start, int End) PartRange(int count, int part, int partCount) =>
        ((int)((long)count * part / partCount), (int)((long)count * (part + 1) / partCount));

    private static void Invoke<T>(void* work, int part, int partCount)
        where T : struct, IParallelWork, allows ref struct =>
        Unsafe.AsRef<T>(work).Execute(part, partCount);

    /// <summary>Claims and runs parts of job <paramref name="generation"/> until none are left.</summary>
    private static void RunClaimedParts(int generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int next = (int)(claim & 0xFFFF);
            int count = (int)((claim >> 16) & 0xFFFF);
            if ((int)(claim >> 32) != generation || next >= count)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim)
            {
                continue;
            }

            // A claimed, unfinished part keeps the job (and its fields) alive until it is counted.
            try
            {
                s_job(s_work, next, count);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                Interlocked.Increment(ref s_finished);
            }
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count)
        {
            return;
        }

        lock (CreationLock)
        {
            Worker[] workers = new Worker[count];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int w = s_workers.Length; w < count; w++)
            {
                workers[w] = new Worker(w + 1);
            }

            s_workers = workers;
        }
    }

    /// <summary>One background thread that joins each job it is posted.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _posted;
        private int _sleeping;

        public Worker(int number)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Microsoft.ML.Rnn worker {number}" };
            thread.Start();
        }

        /// <summary>Called by the job's owner after the job is published.</summary>
        public void Post(int generation)
        {
            Volatile.Write(ref _posted, generation);
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                seen = WaitForPost(seen);
                RunClaimedParts(seen);
            }
        }

        private int WaitForPost(int seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            for (int spin = 0; ; spin++)
            {
                int posted = Volatile.Read(ref _posted);
                if (posted != seen)
                {
                    return posted;
                }

                if ((spin & 63) == 63 && Stopwatch.GetTimestamp() > deadline)
                {
                    break;
                }

                Thread.SpinWait(4);
            }

            // Announce the sleep, then look once more: a post that raced with the announcement
            // either sees the flag (and releases the semaphore) or is seen here.
            Interlocked.Exchange(ref _sleeping, 1);
            int late = Volatile.Read(ref _posted);
            if (late != seen)
            {
                if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                {
                    _wake.Wait(); // the poster took the flag and released: consume that release
                }

                return late;
            }

            _wake.Wait();
            return Volatile.Read(ref _posted);
        }
    }
}
