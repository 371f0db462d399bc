using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>A piece of work split into parts that may run on different threads at once.</summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="partCount"/>.</summary>
    void Execute(int part, int partCount);
}

/// <summary>
/// A small pool of persistent threads for work too short for <c>Parallel.For</c>: the blocks of a batch
/// (a pass over one can take well under a millisecond) and the parts of a split matrix product.
/// </summary>
/// <remarks>
/// <para>
/// Each thread (the caller is thread 0) owns a contiguous run of parts, so from call to call the
/// same thread writes the same memory and keeps it in its cache. A thread that is done takes the
/// unstarted parts of the others, so a worker that wakes late (or not at all, on a busy machine)
/// costs its share of the time, not the whole job. What a part computes depends only on its index,
/// never on the thread that runs it.
/// </para>
/// <para>
/// The hand-off is one cache line: the job is published there with a sequence number, and idle
/// workers spin on it for a while after each job (so back-to-back calls hand off in well under a
/// microsecond), then block on a semaphore so an idle pool costs nothing. Nothing is allocated per
/// call; the work is read through a pointer to the caller's stack, which stays alive because the
/// caller waits for every part. One job runs at a time: a call made while the pool is busy (another
/// thread's job, or a nested call from inside a part) runs all its parts inline.
/// </para>
/// </remarks>
internal static unsafe class ParallelWorkers
{
    /// <summary>Most parts one job can have.</summary>
    public const int MaxParts = 1 << 20;

    private const int CacheLine = 64;

    /// <summary>How long an idle worker spins for the next job before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object CreationLock = new();

    // Line 0: the job; line 1: the count of finished parts; line 2 + t: thread t's claim word.
    // Native and aligned so that no two of them, nor anything else, share a cache line.
    private static readonly JobLine* Job = (JobLine*)Allocate(CacheLine);
    private static readonly int* Finished = (int*)Allocate(CacheLine);
    private static readonly long* Claims = (long*)Allocate(CacheLine * MaxParallelismValue());

    private static Worker[] s_workers = [];
    private static int s_busy;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>The most threads that run parts at once: the caller plus one worker per other core.</summary>
    public static int MaxParallelism { get; } = MaxParallelismValue();

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

            // Seqlock: odd while the fields are written, the next even number publishes them.
            int sequence = Job->Sequence + 1;
            Volatile.Write(ref Job->Sequence, sequence);
            Job->Function = (nint)(delegate*<void*, int, int, void>)&Invoke<T>;
            Job->Work = (nint)Unsafe.AsPointer(ref work);
            Job->PartCount = partCount;
            Job->Threads = threads;
            *Finished = 0;
            s_failure = null;
            Interlocked.Exchange(ref Job->Sequence, sequence + 1); // full fence before reading the sleep flags

            var job = new JobSnapshot(sequence + 1, Job->Function, Job->Work, partCount, threads);
            for (int w = 0; w < threads - 1; w++)
            {
                s_workers[w].WakeIfSleeping();
            }

            RunParts(0, job);

            WaitForParts(partCount);

            s_failure?.Throw();
        }
        finally
        {
            s_failure = null;
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Waits until every part is counted: the workers read the caller's stack, so the caller never
    /// returns before them. Spins without yielding for a while, since giving up the core (and
    /// waiting a scheduler tick to get it back) costs far more than a part of a short job.
    /// </summary>
    private static void WaitForParts(int partCount)
    {
        long deadline = 0;
        for (int spin = 0; Volatile.Read(ref *Finished) != partCount; spin++)
        {
            if ((spin & 255) == 255)
            {
                long now = Stopwatch.GetTimestamp();
                if (deadline == 0)
                {
                    deadline = now + SpinTicks;
                }
                else if (now > deadline)
                {
                    Thread.Yield();
                    continue;
                }
            }

            Thread.SpinWait(1);
        }
    }

    /// <summary>The units [Start, End) of part <paramref name="part"/> when <paramref name="count"/> units are split evenly.</summary>
    public static (int Start, int End) PartRange(int count, int part, int partCount) =>
        ((int)((long)count * part / partCount), (int)((long)count * (part + 1) / partCount));

    private static int MaxParallelismValue() => Math.Max(1, Environment.ProcessorCount);

    private static void* Allocate(int bytes)
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)bytes, CacheLine);
        NativeMemory.Clear(memory, (nuint)bytes);
        return memory;
    }

    private static void Invoke<T>(void* work, int part, int partCount)
        where T : struct, IParallelWork, allows ref struct =>
        Unsafe.AsRef<T>(work).Execute(part, partCount);

    /// <summary>Runs thread <paramref name="thread"/>'s own parts, then any the others have not started.</summary>
    private static void RunParts(int thread, in JobSnapshot job)
    {
        for (int i = 0; i < job.Threads; i++)
        {
            int owner = (thread + i) % job.Threads;
            while (TryClaim(owner, job, out int part))
            {
                // A claimed, unfinished part keeps the job (and the caller's stack) alive until counted.
                try
                {
                    ((delegate*<void*, int, int, void>)job.Function)((void*)job.Work, part, job.PartCount);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Increment(ref *Finished);
                }
            }
        }
    }

    /// <summary>
    /// Claims the next part of <paramref name="owner"/>'s run. The claim word holds the job's
    /// sequence number and the next part: a word from an older job means the run is untouched, a
    /// word from a newer job means this job is over (a late worker must not run anything).
    /// </summary>
    private static bool TryClaim(int owner, in JobSnapshot job, out int part)
    {
        ref long word = ref Claims[owner * (CacheLine / sizeof(long))];
        (int start, int end) = PartRange(job.PartCount, owner, job.Threads);
        while (true)
        {
            long claim = Volatile.Read(ref word);
            int age = job.Sequence - (int)(claim >> 32);
            if (age < 0)
            {
                part = -1;
                return false;
            }

            part = age > 0 ? start : (int)claim;
            if (part >= end)
            {
                return false;
            }

            long next = ((long)job.Sequence << 32) | (uint)(part + 1);
            if (Interlocked.CompareExchange(ref word, next, claim) == claim)
            {
                return true;
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
                workers[w] = new Worker(thread: w + 1);
            }

            s_workers = workers;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct JobLine
    {
        public int Sequence;
        public int PartCount;
        public int Threads;
        public nint Function;
        public nint Work;
    }

    /// <summary>A consistent copy of the job line, taken once per job.</summary>
    private readonly record struct JobSnapshot(int Sequence, nint Function, nint Work, int PartCount, int Threads);

    /// <summary>One background thread that joins each job that asks for at least <c>thread + 1</c> threads.</summary>
    private sealed class Worker
    {
        private readonly int _thread;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;

        public Worker(int thread)
        {
            _thread = thread;
            new Thread(Loop) { IsBackground = true, Name = $"Microsoft.ML.Rnn worker {thread}" }.Start();
        }

        /// <summary>Called by a job's owner after publishing it.</summary>
        public void WakeIfSleeping()
        {
            // Read first: the flag's cache line then stays shared while the worker spins.
            if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            int seen = Volatile.Read(ref Job->Sequence);
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                JobSnapshot job = WaitForJob(seen, ref deadline);
                seen = job.Sequence;

                // Jobs that want fewer threads do not keep this worker spinning.
                if (_thread < job.Threads)
                {
                    RunParts(_thread, job);
                    deadline = Stopwatch.GetTimestamp() + SpinTicks;
                }
            }
        }

        private JobSnapshot WaitForJob(int seen, ref long deadline)
        {
            for (int spin = 0; ; spin++)
            {
                if (TryRead(seen, out JobSnapshot job))
                {
                    return job;
                }

                if ((spin & 255) == 255 && Stopwatch.GetTimestamp() > deadline)
                {
                    // Announce the sleep, then look once more: a job published meanwhile either
                    // sees the flag (and releases the semaphore) or is seen here.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (TryRead(seen, out job))
                    {
                        if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                        {
                            _wake.Wait(); // the owner took the flag and released: consume that release
                        }

                        return job;
                    }

                    _wake.Wait();
                    deadline = Stopwatch.GetTimestamp() + SpinTicks;
                }

                Thread.SpinWait(1);
            }
        }

        /// <summary>Reads a job newer than <paramref name="seen"/>, if one is fully published.</summary>
        private static bool TryRead(int seen, out JobSnapshot job)
        {
            int sequence = Volatile.Read(ref Job->Sequence);
            if (sequence == seen || (sequence & 1) != 0)
            {
                job = default;
                return false;
            }

            job = new JobSnapshot(
                sequence,
                Volatile.Read(ref Job->Function),
                Volatile.Read(ref Job->Work),
                Volatile.Read(ref Job->PartCount),
                Volatile.Read(ref Job->Threads));
            return Volatile.Read(ref Job->Sequence) == sequence;
        }
    }
}
