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
        // One caller holds the pool, the other runs its parts inline; neither may lose a part.
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
