using System.Collections.Concurrent;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests;

[TestClass]
public sealed class ParallelWorkersTests
{
    [TestMethod]
    public void RunsEveryPartExactlyOnce()
    {
        foreach (int parts in new[] { 1, 2, 3, 8, 100 })
        {
            foreach (int threads in new[] { 1, 2, 4 })
            {
                int[] runs = new int[parts];
                var work = new CountingWork(runs);
                ParallelWorkers.Run(ref work, parts, threads);
                CollectionAssert.AreEqual(Enumerable.Repeat(1, parts).ToArray(), runs, $"{parts} parts on {threads} threads");
            }
        }
    }

    [TestMethod]
    public void SurvivesManyBackToBackJobs()
    {
        // Exercises the post/claim/sleep hand-off races: every job must still see all its parts.
        int[] runs = new int[4];
        for (int job = 0; job < 20000; job++)
        {
            var work = new CountingWork(runs);
            ParallelWorkers.Run(ref work, 4, 2);
            if (job % 500 == 0)
            {
                Thread.Sleep(1); // longer than the spin: the workers block and must be woken
            }
        }

        CollectionAssert.AreEqual(new[] { 20000, 20000, 20000, 20000 }, runs);
    }

    [TestMethod]
    public void ConcurrentCallersEachGetAllTheirParts()
    {
        // Two callers check out groups at the same time, often each other's last one; neither may lose a part.
        int[][] runs = [new int[3], new int[3]];
        Parallel.For(0, 2, caller =>
        {
            for (int job = 0; job < 5000; job++)
            {
                var work = new CountingWork(runs[caller]);
                ParallelWorkers.Run(ref work, 3, 2);
            }
        });

        CollectionAssert.AreEqual(new[] { 5000, 5000, 5000 }, runs[0]);
        CollectionAssert.AreEqual(new[] { 5000, 5000, 5000 }, runs[1]);
    }

    [TestMethod]
    public void TwoCallersRunTheirJobsInParallelAtTheSameTime()
    {
        // Job A's two parts meet (so A holds two threads) and then wait inside the run until job B,
        // started from another thread, has had its own two parts meet and has returned. Every wait
        // has a timeout, so a pool that serves one job at a time fails here instead of hanging.
        Assert.IsGreaterThanOrEqualTo(2, ParallelWorkers.MaxParallelism, "this test needs two cores, as every machine of this project has");

        TimeSpan timeout = TimeSpan.FromSeconds(5);
        using var aMet = new Barrier(2);
        using var bMet = new Barrier(2);
        using var aRunning = new ManualResetEventSlim();
        using var bDone = new ManualResetEventSlim();
        var failures = new ConcurrentQueue<string>();
        int[] aRuns = new int[2], bRuns = new int[2];

        var callerA = new Thread(() =>
        {
            var a = new RendezvousWork("A", aRuns, aMet, aRunning, bDone, timeout, failures);
            ParallelWorkers.Run(ref a, 2, 2);
        });
        callerA.Start();
        Assert.IsTrue(aRunning.Wait(timeout), "job A's parts never ran at the same time");

        var b = new RendezvousWork("B", bRuns, bMet, null, null, timeout, failures);
        ParallelWorkers.Run(ref b, 2, 2);
        bDone.Set();

        Assert.IsTrue(callerA.Join(timeout), "job A did not finish after job B");
        Assert.IsTrue(failures.IsEmpty, string.Join("; ", failures));
        CollectionAssert.AreEqual(new[] { 1, 1 }, aRuns);
        CollectionAssert.AreEqual(new[] { 1, 1 }, bRuns);
    }

    [TestMethod]
    public void ACallerThatFindsEveryGroupBusyRunsItsPartsItself()
    {
        // Every group is held by a job whose parts wait inside the run; one more caller must still finish, alone.
        Assert.IsGreaterThanOrEqualTo(2, ParallelWorkers.MaxParallelism, "this test needs two cores, as every machine of this project has");

        TimeSpan timeout = TimeSpan.FromSeconds(5);
        int holders = ParallelWorkers.MaxSplitJobs;
        using var release = new ManualResetEventSlim();
        var failures = new ConcurrentQueue<string>();
        Barrier[] met = [.. Enumerable.Range(0, holders).Select(_ => new Barrier(2))];
        ManualResetEventSlim[] running = [.. Enumerable.Range(0, holders).Select(_ => new ManualResetEventSlim())];
        Thread[] callers = [.. Enumerable.Range(0, holders).Select(h => new Thread(() =>
        {
            var hold = new RendezvousWork($"holder {h}", new int[2], met[h], running[h], release, timeout, failures);
            ParallelWorkers.Run(ref hold, 2, 2);
        }))];
        try
        {
            foreach (Thread holder in callers)
            {
                holder.Start();
            }

            Assert.IsTrue(running.All(r => r.Wait(timeout)), "the holding jobs did not all run on two threads");

            int[] ranOn = new int[3];
            var work = new ThreadRecordingWork(ranOn);
            ParallelWorkers.Run(ref work, 3, 2);
            int caller = Environment.CurrentManagedThreadId;
            CollectionAssert.AreEqual(new[] { caller, caller, caller }, ranOn);
        }
        finally
        {
            release.Set();
            Assert.IsTrue(callers.All(c => !c.IsAlive || c.Join(timeout)), "a holding job did not finish");
            Array.ForEach(met, b => b.Dispose());
            Array.ForEach(running, r => r.Dispose());
        }

        Assert.IsTrue(failures.IsEmpty, string.Join("; ", failures));
    }

    [TestMethod]
    public void RethrowsAPartsExceptionAfterAllPartsFinish()
    {
        int[] runs = new int[6];
        var work = new ThrowingWork(runs, failingPart: 3);
        var e = Assert.Throws<InvalidOperationException>(() => ParallelWorkers.Run(ref work, 6, 2));
        Assert.AreEqual("part 3", e.Message);
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1, 1, 1 }, runs);

        // The pool is usable afterwards.
        var again = new CountingWork(runs);
        ParallelWorkers.Run(ref again, 6, 2);
        CollectionAssert.AreEqual(new[] { 2, 2, 2, 2, 2, 2 }, runs);
    }

    [TestMethod]
    public void NestedRunsInline()
    {
        int[] inner = new int[3];
        int[] outer = new int[2];
        var work = new NestingWork(outer, inner);
        ParallelWorkers.Run(ref work, 2, 2);
        CollectionAssert.AreEqual(new[] { 1, 1 }, outer);
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, inner);
    }

    [TestMethod]
    public void PartRangesCoverTheUnitsInOrder()
    {
        int end = 0;
        for (int part = 0; part < 7; part++)
        {
            (int start, int stop) = ParallelWorkers.PartRange(100, part, 7);
            Assert.AreEqual(end, start);
            Assert.IsTrue(stop - start is 14 or 15);
            end = stop;
        }

        Assert.AreEqual(100, end);
    }

    [TestMethod]
    public void RunAllocatesNothingAfterWarmUp()
    {
        int[] runs = new int[4];
        var work = new CountingWork(runs);
        ParallelWorkers.Run(ref work, 4, 2);
        long least = long.MaxValue;
        for (int window = 0; window < 10 && least > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                ParallelWorkers.Run(ref work, 4, 2);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0L, least);
    }

    private readonly struct CountingWork(int[] runs) : IParallelWork
    {
        public void Execute(int part, int partCount) => Interlocked.Increment(ref runs[part]);
    }

    private readonly struct ThrowingWork(int[] runs, int failingPart) : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            Thread.Sleep(1);
            Interlocked.Increment(ref runs[part]);
            if (part == failingPart)
            {
                throw new InvalidOperationException($"part {part}");
            }
        }
    }

    /// <summary>A part that waits for the job's other part to run beside it, then signals and holds as asked.</summary>
    private readonly struct RendezvousWork(
        string job, int[] runs, Barrier met, ManualResetEventSlim? running, ManualResetEventSlim? hold,
        TimeSpan timeout, ConcurrentQueue<string> failures) : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref runs[part]);
            if (!met.SignalAndWait(timeout))
            {
                failures.Enqueue($"job {job} part {part} ran alone");
                return;
            }

            running?.Set();
            if (hold is not null && !hold.Wait(timeout))
            {
                failures.Enqueue($"job {job} part {part} waited in vain for the other job");
            }
        }
    }

    private readonly struct ThreadRecordingWork(int[] ranOn) : IParallelWork
    {
        public void Execute(int part, int partCount) => ranOn[part] = Environment.CurrentManagedThreadId;
    }

    private readonly struct NestingWork(int[] outer, int[] inner) : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref outer[part]);
            var work = new CountingWork(inner);
            ParallelWorkers.Run(ref work, inner.Length, 2);
        }
    }
}
