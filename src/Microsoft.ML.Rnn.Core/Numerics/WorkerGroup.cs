using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One job slot and the persistent threads that serve it. <see cref="ParallelWorkers"/> checks a free
/// group out for each run, so callers on different threads run their jobs at the same time, each with
/// its own workers.
/// </summary>
/// <remarks>
/// <para>
/// Each thread (the owner is thread 0) owns a contiguous run of parts, so from call to call the same
/// thread writes the same memory and keeps it in its cache. A thread that is done takes the unstarted
/// parts of the others, so a worker that wakes late (or not at all, on a busy machine) costs its share
/// of the time, not the whole job. What a part computes depends only on its index, never on the thread
/// that runs it.
/// </para>
/// <para>
/// The hand-off is one cache line: the job is published there with a sequence number, and idle workers
/// spin on it for a while after each job (so back-to-back calls hand off in well under a microsecond),
/// then block on a semaphore so an idle group costs nothing. Nothing is allocated per call; the work is
/// read through a pointer to the owner's stack, which stays alive because the owner waits for every part.
/// </para>
/// <para>
/// Memory ordering. There is one owner at a time: <see cref="TryCheckOut"/> is an interlocked exchange and
/// <see cref="Release"/> a volatile (release) write of the same flag, so a new owner (maybe on another
/// thread) sees everything the previous one wrote. Only the owner writes the job line and the claim words
/// of runs the last job did not have, and resets the finished count and the failure. The job line is a
/// seqlock, as a worker late from the last job may read it while the next is written: the owner makes the
/// sequence odd, writes the rest with volatile writes (each a release, so none moves above the odd
/// sequence), and publishes with an interlocked exchange to the next even number. That exchange is a full
/// fence: the job, the reset count, the refreshed claims and everything the caller wrote before
/// <c>Run</c> (the inputs the parts read) are visible to any worker that then reads the even sequence, and
/// the owner's later read of a worker's sleep flag cannot move above it (see
/// <see cref="Worker.WakeIfSleeping"/>). A worker reads the sequence, the fields and the sequence again
/// with volatile (acquire) reads and keeps the copy only if the sequence was even and did not change, so it
/// never mixes two jobs. Parts are handed out by compare-exchange on claim words, so each runs exactly
/// once. Every thread counts a part with an interlocked increment after the part's writes (and after
/// recording its exception), and the owner reads the failure and returns only after a volatile read sees
/// the full count: the increments form one chain of read-modify-writes on one word, so that acquire read
/// makes every part's writes visible to the caller.
/// </para>
/// </remarks>
internal sealed unsafe class WorkerGroup
{
    private const int CacheLine = 64;

    /// <summary>How long an idle worker spins for the next job before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    // Line 0: the job; line 1: the count of finished parts; line 2: the owner's; line 3 + t: thread t's
    // claim word. Native and aligned so that no two of them, nor anything else, share a cache line.
    private readonly JobLine* _job;
    private readonly int* _finished;
    private readonly OwnerLine* _owner;
    private readonly long* _claims;
    private readonly int _index;

    private Worker[] _workers = [];
    private ExceptionDispatchInfo? _failure;

    /// <summary>Creates group <paramref name="index"/> with no threads yet; they start on first use.</summary>
    public WorkerGroup(int index)
    {
        _index = index;
        byte* lines = (byte*)NativeMemory.AlignedAlloc((nuint)(CacheLine * (3 + ParallelWorkers.MaxParallelism)), CacheLine);
        NativeMemory.Clear(lines, (nuint)(CacheLine * (3 + ParallelWorkers.MaxParallelism)));
        _job = (JobLine*)lines;
        _finished = (int*)(lines + CacheLine);
        _owner = (OwnerLine*)(lines + (2 * CacheLine));
        _claims = (long*)(lines + (3 * CacheLine));
    }

    /// <summary>Makes the calling thread the group's owner, if no one else is.</summary>
    public bool TryCheckOut() => Volatile.Read(ref _owner->Owned) == 0 && Interlocked.Exchange(ref _owner->Owned, 1) == 0;

    /// <summary>Gives the group up after <see cref="Run"/>; the next owner sees all this one wrote.</summary>
    public void Release() => Volatile.Write(ref _owner->Owned, 0);

    /// <summary>
    /// Runs <paramref name="function"/>(<paramref name="work"/>, part, <paramref name="partCount"/>) for every
    /// part on this thread and <paramref name="threads"/> − 1 workers, and returns when all are done. An
    /// exception from a part is rethrown here after every part has finished. Only the owner may call this.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(delegate*<void*, int, int, void> function, void* work, int partCount, int threads)
    {
        EnsureWorkers(threads - 1);

        int sequence = _job->Sequence + 1;
        Volatile.Write(ref _job->Sequence, sequence);
        Volatile.Write(ref _job->Function, (nint)function);
        Volatile.Write(ref _job->Work, (nint)work);
        Volatile.Write(ref _job->PartCount, partCount);
        Volatile.Write(ref _job->Threads, threads);
        Volatile.Write(ref *_finished, 0);
        RefreshClaims(sequence + 1, partCount, threads);
        Interlocked.Exchange(ref _job->Sequence, sequence + 1);

        var job = new JobSnapshot(sequence + 1, (nint)function, (nint)work, partCount, threads);
        for (int w = 0; w < threads - 1; w++)
        {
            _workers[w].WakeIfSleeping();
        }

        RunParts(0, job);

        WaitForParts(partCount);

        ExceptionDispatchInfo? failure = _failure;
        if (failure is not null)
        {
            _failure = null;
            failure.Throw();
        }
    }

    /// <summary>
    /// Waits until every part is counted: the workers read the owner's stack, so the owner never returns
    /// before them. Spins without yielding for a while, since giving up the core (and waiting a scheduler
    /// tick to get it back) costs far more than a part of a short job.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WaitForParts(int partCount)
    {
        long deadline = 0;
        for (int spin = 0; Volatile.Read(ref *_finished) != partCount; spin++)
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

    /// <summary>Runs thread <paramref name="thread"/>'s own parts, then any the others have not started.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunParts(int thread, in JobSnapshot job)
    {
        for (int i = 0; i < job.Threads; i++)
        {
            int owner = (thread + i) % job.Threads;
            while (TryClaim(owner, job, out int part))
            {
                // A claimed, unfinished part keeps the job (and the owner's stack) alive until counted.
                try
                {
                    ((delegate*<void*, int, int, void>)job.Function)((void*)job.Work, part, job.PartCount);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Increment(ref *_finished);
                }
            }
        }
    }

    /// <summary>
    /// Before publishing: points the claim words of the runs the previous job did not have at their first
    /// part. The others hold the previous job's sequence (each of its runs had a part), so every word a job
    /// reads is at most one job old, and a run left unused for 2³¹ jobs cannot look newer than the job.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RefreshClaims(int sequence, int partCount, int threads)
    {
        int last = _owner->LastThreads;
        if (last == threads)
        {
            return;
        }

        for (int t = last; t < threads; t++)
        {
            (int start, _) = ParallelWorkers.PartRange(partCount, t, threads);
            Volatile.Write(ref _claims[t * (CacheLine / sizeof(long))], ((long)sequence << 32) | (uint)start);
        }

        _owner->LastThreads = threads;
    }

    /// <summary>
    /// Claims the next part of <paramref name="owner"/>'s run. The claim word holds the job's sequence
    /// number and the next part: a word from an older job (the previous one) means the run is untouched, a
    /// word from a newer job means this job is over (a late worker must not run anything).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryClaim(int owner, in JobSnapshot job, out int part)
    {
        ref long word = ref _claims[owner * (CacheLine / sizeof(long))];
        (int start, int end) = ParallelWorkers.PartRange(job.PartCount, owner, job.Threads);
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

    /// <summary>Starts workers up to <paramref name="count"/>; only the owner calls it, so no lock is needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        Worker[] workers = new Worker[count];
        Array.Copy(_workers, workers, _workers.Length);
        for (int w = _workers.Length; w < count; w++)
        {
            workers[w] = new Worker(this, thread: w + 1, seen: _job->Sequence);
        }

        _workers = workers;
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

    /// <summary>The owner's line: whether the group is checked out, and what its last job used.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OwnerLine
    {
        public int Owned;
        public int LastThreads;
    }

    /// <summary>A consistent copy of the job line, taken once per job.</summary>
    private readonly record struct JobSnapshot(int Sequence, nint Function, nint Work, int PartCount, int Threads);

    /// <summary>One background thread of a group that joins each job asking for at least <c>thread + 1</c> threads.</summary>
    private sealed class Worker
    {
        private readonly WorkerGroup _group;
        private readonly int _thread;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;

        /// <summary>Starts the thread; <paramref name="seen"/> is the last job published before it, which it skips.</summary>
        public Worker(WorkerGroup group, int thread, int seen)
        {
            _group = group;
            _thread = thread;
            new Thread(() => Loop(seen)) { IsBackground = true, Name = $"Microsoft.ML.Rnn worker {group._index}.{thread}" }.Start();
        }

        /// <summary>Called by the owner after publishing a job.</summary>
        /// <remarks>
        /// The owner writes the sequence, then reads the flag; the worker writes the flag, then reads the
        /// sequence. Both writes are interlocked (full fences), so at least one side sees the other's write:
        /// the worker finds the job, or the owner finds the flag and releases the semaphore. No wake-up is lost.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void WakeIfSleeping()
        {
            // Read first: the flag's cache line then stays shared while the worker spins.
            if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop(int seen)
        {
            // Parts that call Run again from here run inline: this thread is inside a job.
            ParallelWorkers.EnterWorkerThread();
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                JobSnapshot job = WaitForJob(seen, ref deadline);
                seen = job.Sequence;

                // Jobs that want fewer threads do not keep this worker spinning.
                if (_thread < job.Threads)
                {
                    _group.RunParts(_thread, job);
                    deadline = Stopwatch.GetTimestamp() + SpinTicks;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool TryRead(int seen, out JobSnapshot job)
        {
            JobLine* line = _group._job;
            int sequence = Volatile.Read(ref line->Sequence);
            if (sequence == seen || (sequence & 1) != 0)
            {
                job = default;
                return false;
            }

            job = new JobSnapshot(
                sequence,
                Volatile.Read(ref line->Function),
                Volatile.Read(ref line->Work),
                Volatile.Read(ref line->PartCount),
                Volatile.Read(ref line->Threads));
            return Volatile.Read(ref line->Sequence) == sequence;
        }
    }
}
