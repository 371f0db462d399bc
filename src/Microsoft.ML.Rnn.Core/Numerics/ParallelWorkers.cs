using System.Runtime.CompilerServices;

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
/// Each run checks out a <see cref="WorkerGroup"/> (a job slot with its own threads) and gives it back
/// when done, so trainings and scorings on different threads each split their work at the same time.
/// A thread tries the group it used last first, so a lone caller keeps the same workers (and their
/// caches) and pays one uncontended interlocked exchange to check it out. A call that finds every group
/// busy, or that is made from inside a part (a nested or re-entrant call), runs all its parts inline:
/// it always makes progress, never waits for another job, and nested calls do not multiply threads.
/// The parts, and so the results, depend only on the part count, never on which or how many threads run them.
/// </remarks>
internal static unsafe class ParallelWorkers
{
    /// <summary>Most parts one job can have.</summary>
    public const int MaxParts = 1 << 20;

    /// <summary>
    /// Most jobs split at once, one group each: one per core (at least two), as more concurrent split jobs
    /// than cores oversubscribe the machine and gain nothing over running inline.
    /// </summary>
    public static int MaxSplitJobs { get; } = Math.Max(2, MaxParallelismValue());

    private static readonly WorkerGroup?[] Groups = new WorkerGroup?[MaxSplitJobs];

    private static readonly object CreationLock = new();

    /// <summary>Whether this thread is running a part of a split job (a worker always is).</summary>
    [ThreadStatic]
    private static bool t_insideJob;

    /// <summary>The group this thread checked out last, tried first next time.</summary>
    [ThreadStatic]
    private static int t_lastGroup;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(ref T work, int partCount, int maxThreads)
        where T : struct, IParallelWork, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partCount, MaxParts);
        int threads = Math.Min(Math.Min(maxThreads, MaxParallelism), partCount);
        WorkerGroup? group;
        if (threads <= 1 || t_insideJob || (group = CheckOut()) is null)
        {
            for (int part = 0; part < partCount; part++)
            {
                work.Execute(part, partCount);
            }

            return;
        }

        t_insideJob = true;
        try
        {
            group.Run(&Invoke<T>, Unsafe.AsPointer(ref work), partCount, threads);
        }
        finally
        {
            t_insideJob = false;
            group.Release();
        }
    }

    /// <summary>The units [Start, End) of part <paramref name="part"/> when <paramref name="count"/> units are split evenly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Start, int End) PartRange(int count, int part, int partCount) =>
        ((int)((long)count * part / partCount), (int)((long)count * (part + 1) / partCount));

    /// <summary>Marks the calling worker thread as inside a job for good, so its parts' own calls run inline.</summary>
    internal static void EnterWorkerThread() => t_insideJob = true;

    /// <summary>Checks out a free group, this thread's last one first, creating groups as needed; null if all are busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static WorkerGroup? CheckOut()
    {
        int last = t_lastGroup;
        WorkerGroup? group = Groups[last];
        if (group is not null && group.TryCheckOut())
        {
            return group;
        }

        for (int index = 0; index < Groups.Length; index++)
        {
            group = Volatile.Read(ref Groups[index]) ?? Create(index);
            if (index != last && group.TryCheckOut())
            {
                t_lastGroup = index;
                return group;
            }
        }

        return null;
    }

    private static WorkerGroup Create(int index)
    {
        lock (CreationLock)
        {
            WorkerGroup? group = Groups[index];
            if (group is null)
            {
                group = new WorkerGroup(index);
                Volatile.Write(ref Groups[index], group);
            }

            return group;
        }
    }

    private static int MaxParallelismValue() => Math.Max(1, Environment.ProcessorCount);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Invoke<T>(void* work, int part, int partCount)
        where T : struct, IParallelWork, allows ref struct =>
        Unsafe.AsRef<T>(work).Execute(part, partCount);
}
