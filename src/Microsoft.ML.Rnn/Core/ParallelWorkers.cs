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
/// (the recurrent product is ~0.1 ms and runs at every time step). The caller runs part 0 itself
/// and worker w runs part w + 1. Workers spin briefly after each job, so back-to-back calls hand
/// off in well under a microsecond, then block so an idle pool costs nothing.
/// </summary>
/// <remarks>
/// One job runs at a time. A call made while the pool is busy (another thread's job, or a nested
/// call from inside a part) runs all its parts inline, in order, on its own thread: the parts are
/// the same, so results do not depend on who ran them. Nothing is allocated per call; the work is
/// passed by reference to the caller's stack, which stays alive because the caller waits.
/// </remarks>
internal static unsafe class ParallelWorkers
{
    /// <summary>How long an idle worker spins for the next job before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object CreationLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;

    private static delegate*<void*, int, int, void> s_job;
    private static void* s_work;
    private static int s_partCount;
    private static int s_pending;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>The most parts that run at once: the caller plus one worker per other core.</summary>
    public static int MaxParallelism { get; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Runs <c>work.Execute(part, partCount)</c> for every part, at most
    /// <see cref="MaxParallelism"/> at once, and returns when all are done. An exception from a
    /// part is rethrown here after every part has finished.
    /// </summary>
    /// <param name="work">The work; must be a local of the caller (it is read through a pointer).</param>
    /// <param name="partCount">Number of parts; values above <see cref="MaxParallelism"/> are reduced.</param>
    public static void Run<T>(ref T work, int partCount)
        where T : struct, IParallelWork, allows ref struct
    {
        partCount = Math.Min(partCount, MaxParallelism);
        if (partCount <= 1)
        {
            work.Execute(0, 1);
            return;
        }

        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int part = 0; part < partCount; part++)
            {
                work.Execute(part, partCount);
            }

            return;
        }

        try
        {
            EnsureWorkers(partCount - 1);
            s_job = &Invoke<T>;
            s_work = Unsafe.AsPointer(ref work);
            s_partCount = partCount;
            s_failure = null;
            Volatile.Write(ref s_pending, partCount - 1);
            for (int w = 0; w < partCount - 1; w++)
            {
                s_workers[w].Post();
            }

            try
            {
                work.Execute(0, partCount);
            }
            finally
            {
                // The workers read the caller's stack: never return before they are done.
                SpinWait wait = default;
                while (Volatile.Read(ref s_pending) != 0)
                {
                    wait.SpinOnce(sleep1Threshold: -1);
                }
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

    /// <summary>The start and end of part <paramref name="part"/> when <paramref name="count"/> units are split evenly.</summary>
    public static (int Start, int End) PartRange(int count, int part, int partCount) =>
        ((int)((long)count * part / partCount), (int)((long)count * (part + 1) / partCount));

    private static void Invoke<T>(void* work, int part, int partCount)
        where T : struct, IParallelWork, allows ref struct =>
        Unsafe.AsRef<T>(work).Execute(part, partCount);

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
                workers[w] = new Worker(part: w + 1);
            }

            s_workers = workers;
        }
    }

    private static void RunPart(int part)
    {
        try
        {
            s_job(s_work, part, s_partCount);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
        }
        finally
        {
            Interlocked.Decrement(ref s_pending);
        }
    }

    /// <summary>One background thread that runs a fixed part number of each posted job.</summary>
    private sealed class Worker
    {
        private readonly int _part;
        private readonly SemaphoreSlim _wake = new(0);
        private long _posted;
        private int _sleeping;

        public Worker(int part)
        {
            _part = part;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Microsoft.ML.Rnn worker {part}" };
            thread.Start();
        }

        /// <summary>Called by the job's owner only, after the job fields are written.</summary>
        public void Post()
        {
            Volatile.Write(ref _posted, _posted + 1);
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                seen = WaitForPost(seen);
                RunPart(_part);
            }
        }

        private long WaitForPost(long seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            for (int spin = 0; ; spin++)
            {
                long posted = Volatile.Read(ref _posted);
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
            long late = Volatile.Read(ref _posted);
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
