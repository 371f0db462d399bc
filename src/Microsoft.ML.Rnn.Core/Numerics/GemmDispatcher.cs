using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>Which algorithm runs a product.</summary>
internal enum GemmPath
{
    /// <summary>Packed panels and a register-blocked micro-kernel: everything but thin products.</summary>
    Packed,

    /// <summary>Unpacked row form (<see cref="GemmSmallKernels.Rows"/>): a few rows, B rows contiguous.</summary>
    Rows,

    /// <summary>Unpacked dot form (<see cref="GemmSmallKernels.Dots"/>): few rows or columns, both operands contiguous along the depth.</summary>
    Dots,
}

/// <summary>
/// Everything decided once per product, before any split over threads, so each part computes its
/// elements with exactly the operations a single-threaded call would use.
/// </summary>
internal readonly record struct GemmPlan(
    GemmPath Path, GemmInstructionSet InstructionSet, int KcBlock, bool StreamB, bool SplitColumns, int SplitUnit);

/// <summary>Chooses the algorithm, the orientation and the split over threads, then runs the product.</summary>
/// <remarks>The thresholds were measured on the project's 2-core AMD EPYC (AVX-512) machines.</remarks>
internal static class GemmDispatcher
{
    /// <summary>Products of at most this many multiply-adds skip packing altogether.</summary>
    internal const long TinyWork = 1L << 12;

    /// <summary>Row-form products with at most this many rows skip packing (packing B would cost as much as using it).</summary>
    internal const int RowsMaxM = 2;

    /// <summary>Dot-form products with at most this many rows or columns skip packing.</summary>
    internal const int DotsMaxSide = 2;

    /// <summary>Up to this many row panels read B in place rather than packed (packing is a full extra pass over B).</summary>
    internal const int StreamedMaxRowPanels = 8;

    /// <summary>Depth slice when a single row panel reads B in place: it only bounds the packed A panel, so it is long, to merge C rarely.</summary>
    internal const int StreamedKc = 2048;

    /// <summary>
    /// Below this many multiply-adds (M·N·K) a product runs on the calling thread only. A cache line
    /// takes ~0.3 µs from core to core on these machines, so a hand-off costs about 1 µs. On an idle
    /// machine two threads already win 1.3–1.4× at 2^17 (best of short batches), but averaged over
    /// long runs with other processes on the second core, as on these shared machines, a worker
    /// that is descheduled in the middle of its part makes the caller wait, and splitting only pays
    /// from about 2^19 (≈6 µs of single-threaded work: batch 32 × 4·64 gates × hidden 64, 1.0–1.4×;
    /// 1.8× for batch 64 × 4·128 × 128).
    /// </summary>
    internal const long DefaultParallelThreshold = 1L << 19;

    /// <summary>Depth below which a product counts as shallow: bound by writing C, which two cores do little faster.</summary>
    internal const int ShallowDepth = 16;

    /// <summary>
    /// A shallow product is split only when C has at least this many elements (the input projection,
    /// 3200 rows × 512 with 8 features: 1.5–1.7×; 800 × 256 with 8: no gain).
    /// </summary>
    internal const long ShallowParallelOutput = 1L << 19;

    /// <summary>
    /// Parts per thread of a split product. One: a part per thread keeps each thread writing the
    /// same rows or columns of C call after call; with two, the caller often finished first and took
    /// the worker's second part, moving C's cache lines between cores (0.7× on shallow products).
    /// A worker that does not show up in time still has its part run by the caller.
    /// </summary>
    internal const int PartsPerThread = 1;

    /// <summary>
    /// <see cref="GemmProblem.SequenceRows"/> of a row-invariant product whose rows per sequence vary (one per time
    /// step): planned as a sequence of 3 steps, the fewest the row rules leave to the size rules. Single-row scoring
    /// chose by the sequence's own length; this choice is the same for every length when the weight has more than
    /// TinyWork / 3 elements, and for lengths up to TinyWork / (N·K) for smaller (tutorial-sized) weights.
    /// </summary>
    internal const int VaryingRows = DotsMaxSide + 1;

    /// <summary>The threshold in force; 0 splits every product (the benchmarks' threshold sweep).</summary>
    internal static long ParallelThreshold { get; set; } = DefaultParallelThreshold;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(GemmProblem problem, int maxThreads)
    {
        if (problem.M == 0 || problem.N == 0)
        {
            return;
        }

        if (problem.K == 0)
        {
            if (!problem.Accumulate)
            {
                Clear(problem);
            }

            return;
        }

        GemmPlan plan = Plan(ref problem, maxThreads, out int threads, out int parts);
        var work = new GemmWork(problem, plan);
        if (parts > 1)
        {
            ParallelWorkers.Run(ref work, parts, threads);
        }
        else
        {
            work.Execute(0, 1);
        }
    }

    /// <summary>Picks the path (and may rewrite the problem as Cᵀ = Bᵀ·Aᵀ), the threads and the parts.</summary>
    /// <remarks>
    /// Each path's rounding of an element is independent of M: the dot form sums in vector lanes then across them, the
    /// packed and row forms sum in depth order from zero in slices of the plan's depth. Only the choice of path (and
    /// the long slice of a streamed single panel) looks at M, so a row-invariant product
    /// (<see cref="GemmProblem.SequenceRows"/>) makes both from one sequence's rows instead.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static GemmPlan Plan(ref GemmProblem problem, int maxThreads, out int threads, out int parts)
    {
        GemmInstructionSet isa = GemmInstructionSets.Current;
        long work = (long)problem.M * problem.N * problem.K;
        bool bRowsContiguous = problem.B.ColStride == 1;
        bool depthContiguous = problem.A.ColStride == 1 && problem.B.RowStride == 1;

        // The paths round a depth of a vector or more differently, so a row-invariant product then chooses by one
        // sequence's rows, never by M. Below that every path sums in depth order from zero: the shape may choose.
        bool rowInvariant = problem.SequenceRows != 0;
        int pathRows = rowInvariant && problem.K >= System.Numerics.Vector<float>.Count ? problem.SequenceRows : problem.M;
        bool tiny = (long)pathRows * problem.N * problem.K <= TinyWork;

        GemmPath path = GemmPath.Packed;
        int kc = 0;
        bool streamB = false;
        if (bRowsContiguous && (pathRows <= RowsMaxM || tiny))
        {
            path = GemmPath.Rows;
        }
        else if (depthContiguous && (pathRows <= DotsMaxSide || problem.N <= DotsMaxSide || tiny))
        {
            path = GemmPath.Dots;
        }
        else
        {
            (int mr, int nr, int kcDefault) = TileOf(isa);

            // Compute Cᵀ instead when that wastes clearly less of the padded tiles (e.g. N = 8 with
            // Nr = 32); not for a few percent, as every tile then goes through a transposing store.
            long padded = (long)RoundUp(problem.M, mr) * RoundUp(problem.N, nr);
            long paddedTransposed = (long)RoundUp(problem.N, mr) * RoundUp(problem.M, nr);
            if (paddedTransposed * 5 < padded * 4)
            {
                problem = problem.Transposed;
            }

            // Read B in place when few row panels share it, unless its rows are a multiple of 4 KB
            // apart: such panels alias in the caches and are better packed.
            streamB = problem.B.ColStride == 1
                && (problem.M <= mr || (problem.M <= StreamedMaxRowPanels * mr && problem.B.RowStride % 1024 != 0));

            // A single row panel reads B once, so only the packed A panel bounds the slice: make it long. Not for a
            // row-invariant product: the slice depth sets the rounding, and that must not depend on M.
            kc = problem.M <= mr && streamB && !rowInvariant ? Math.Min(problem.K, StreamedKc) : kcDefault;
        }

        bool worthSplitting = ParallelThreshold == 0
            || (work >= ParallelThreshold && (problem.K >= ShallowDepth || (long)problem.M * problem.N >= ShallowParallelOutput));
        threads = maxThreads > 1 && worthSplitting ? Math.Min(maxThreads, ParallelWorkers.MaxParallelism) : 1;
        parts = threads == 1 ? 1 : threads * PartsPerThread;
        (bool splitColumns, int unit) = Split(problem, path, isa, ref parts);
        threads = Math.Min(threads, parts);
        return new GemmPlan(path, isa, kc, streamB, splitColumns, unit);
    }

    /// <summary>
    /// Splits rows or columns of C, never the depth. For packed products, splitting columns
    /// repeats the packing of A in every part and splitting rows repeats B's, so the smaller one is repeated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (bool SplitColumns, int Unit) Split(in GemmProblem problem, GemmPath path, GemmInstructionSet isa, ref int parts)
    {
        int m = problem.M, n = problem.N;
        int rowUnit, colUnit;
        bool preferColumns;
        switch (path)
        {
            case GemmPath.Rows:
                rowUnit = 1;
                colUnit = 4 * System.Numerics.Vector<float>.Count;
                preferColumns = true;
                break;
            case GemmPath.Dots:
                rowUnit = 4;
                colUnit = 4;
                preferColumns = n >= m;
                break;
            default:
                (rowUnit, colUnit, _) = TileOf(isa);
                preferColumns = m <= n;
                break;
        }

        int rowUnits = (m + rowUnit - 1) / rowUnit;
        int colUnits = (n + colUnit - 1) / colUnit;
        bool splitColumns = preferColumns ? colUnits >= parts || colUnits >= rowUnits : rowUnits < parts && colUnits > rowUnits;
        parts = Math.Min(parts, splitColumns ? colUnits : rowUnits);
        return (splitColumns, splitColumns ? colUnit : rowUnit);
    }

    private static (int Mr, int Nr, int Kc) TileOf(GemmInstructionSet isa) => isa switch
    {
        GemmInstructionSet.Avx512 => (Avx512MicroKernel.Mr, Avx512MicroKernel.Nr, Avx512MicroKernel.Kc),
        GemmInstructionSet.Avx2 => (Avx2MicroKernel.Mr, Avx2MicroKernel.Nr, Avx2MicroKernel.Kc),
        _ => (PortableMicroKernel.Mr, PortableMicroKernel.Nr, PortableMicroKernel.Kc),
    };

    private static unsafe void Clear(in GemmProblem problem)
    {
        for (int i = 0; i < problem.M; i++)
        {
            new Span<float>(problem.C.At(i, 0), problem.N).Clear();
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>One planned product, run whole or as one part of a split.</summary>
    private readonly struct GemmWork : IParallelWork
    {
        private readonly GemmProblem _problem;
        private readonly GemmPlan _plan;

        public GemmWork(GemmProblem problem, GemmPlan plan)
        {
            _problem = problem;
            _plan = plan;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part, int partCount)
        {
            GemmProblem sub = _problem;
            if (partCount > 1)
            {
                int length = _plan.SplitColumns ? _problem.N : _problem.M;
                int units = (length + _plan.SplitUnit - 1) / _plan.SplitUnit;
                (int first, int last) = ParallelWorkers.PartRange(units, part, partCount);
                int start = first * _plan.SplitUnit;
                int end = Math.Min(last * _plan.SplitUnit, length);
                if (end <= start)
                {
                    return;
                }

                sub = _plan.SplitColumns ? _problem.Columns(start, end - start) : _problem.Rows(start, end - start);
            }

            switch (_plan.Path)
            {
                case GemmPath.Rows:
                    GemmSmallKernels.Rows(sub);
                    break;
                case GemmPath.Dots:
                    GemmSmallKernels.Dots(sub);
                    break;
                default:
                    RunPacked(sub);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunPacked(in GemmProblem sub)
        {
            switch (_plan.InstructionSet)
            {
                case GemmInstructionSet.Avx512:
                    GemmPackedDriver.Run<Avx512MicroKernel>(sub, _plan.KcBlock, _plan.StreamB, simdPacking: true);
                    break;
                case GemmInstructionSet.Avx2:
                    GemmPackedDriver.Run<Avx2MicroKernel>(sub, _plan.KcBlock, _plan.StreamB, simdPacking: true);
                    break;
                default:
                    GemmPackedDriver.Run<PortableMicroKernel>(sub, _plan.KcBlock, _plan.StreamB, simdPacking: false);
                    break;
            }
        }
    }
}
