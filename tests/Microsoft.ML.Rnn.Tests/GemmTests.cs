using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests;

[TestClass]
public sealed class GemmTests
{
    private delegate void GemmCall(
        int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int maxThreads,
        CancellationToken cancellation);

    public enum Variant
    {
        TransposedB,
        Plain,
        TransposedA,
    }

    // Ones, odd sizes, empty products, tile and block edges (Mr 8/6/4, Nr 32/16, Kc 256, Mc 128, Nc 1024),
    // thin products for the unpacked paths, and the recurrent core's shapes at reduced size.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 1, 0), (0, 3, 2), (3, 0, 2), (2, 5, 3), (3, 5, 7), (4, 4, 4), (7, 3, 9),
        (1, 512, 128), (2, 513, 17), (5, 33, 64), (8, 32, 256), (9, 31, 257), (17, 65, 31),
        (64, 512, 128), (33, 47, 300), (130, 40, 20), (40, 130, 20), (1, 7, 600), (600, 1, 7),
        (512, 8, 64), (3, 1100, 5), (70, 90, 33), (100, 4, 50), (4, 100, 50), (25, 1, 300), (1, 25, 300),
        (96, 1037, 12), (75, 8, 40), (300, 16, 20), (16, 1024, 20),
    ];

    // Products large enough to be split over threads.
    private static readonly (int M, int N, int K)[] ParallelShapes =
    [
        (64, 512, 128), (70, 90, 90), (2, 3000, 100), (3, 2000, 100), (512, 8, 150), (300, 41, 77), (700, 800, 9),
    ];

    public static IEnumerable<object[]> InstructionSets()
    {
        foreach (GemmInstructionSet isa in Enum.GetValues<GemmInstructionSet>())
        {
            if (isa <= GemmInstructionSets.Best)
            {
                yield return [isa.ToString()];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(InstructionSets))]
    public void MatchesDoublePrecisionReference(string isaName)
    {
        GemmInstructionSet isa = Enum.Parse<GemmInstructionSet>(isaName);
        using var forced = new ForcedInstructionSet(isa);
        var random = new Random(17);
        foreach (Variant variant in Enum.GetValues<Variant>())
        {
            foreach ((int m, int n, int k) in Shapes)
            {
                foreach (int pad in new[] { 0, 3 })
                {
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var operands = Operands.Create(variant, m, n, k, pad, random);
                        float[] c = operands.RunOnCopy(accumulate, maxThreads: 1);
                        operands.AssertClose(c, accumulate, $"{isa} {variant} {m}x{n}x{k} pad {pad} accumulate {accumulate}");
                    }
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(InstructionSets))]
    public void ThreadedResultsAreBitIdenticalAndMatchSingleThread(string isaName)
    {
        GemmInstructionSet isa = Enum.Parse<GemmInstructionSet>(isaName);
        using var forced = new ForcedInstructionSet(isa);
        var random = new Random(5);
        foreach (Variant variant in Enum.GetValues<Variant>())
        {
            foreach ((int m, int n, int k) in ParallelShapes)
            {
                PlanOf(variant, m, n, k, maxThreads: 2, out int threads, out _);
                Assert.AreEqual(Math.Min(2, ParallelWorkers.MaxParallelism), threads, $"{variant} {m}x{n}x{k} should be split");
                foreach (bool accumulate in new[] { false, true })
                {
                    string what = $"{isa} {variant} {m}x{n}x{k} accumulate {accumulate}";
                    var operands = Operands.Create(variant, m, n, k, pad: 1, random);
                    float[] single = operands.RunOnCopy(accumulate, maxThreads: 1);
                    float[] threaded = operands.RunOnCopy(accumulate, maxThreads: 2);
                    float[] threadedAgain = operands.RunOnCopy(accumulate, maxThreads: 2);
                    float[] many = operands.RunOnCopy(accumulate, maxThreads: 7);

                    CollectionAssert.AreEqual(threaded, threadedAgain, what);
                    AssertWithin(single, threaded, 1e-5f, what);
                    AssertWithin(single, many, 1e-5f, what);
                    operands.AssertClose(threaded, accumulate, what);

                    // The split never touches the order of the sums, so this holds exactly too.
                    CollectionAssert.AreEqual(single, threaded, what + " (exact)");
                }
            }
        }
    }

    [TestMethod]
    public void ConcurrentCallersGetTheSameResults()
    {
        // Several threads at once (parallel cursors): one may hold the worker pool, the others run
        // their parts inline with their own packing buffers; every result must still be exact.
        var random = new Random(9);
        Operands[] operands = [.. ParallelShapes.Select(shape => Operands.Create(Variant.TransposedB, shape.M, shape.N, shape.K, pad: 0, random))];
        float[][] expected = [.. operands.Select(o => o.RunOnCopy(accumulate: false, maxThreads: 1))];
        Parallel.For(0, 4 * operands.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            Operands o = operands[i % operands.Length];
            for (int repeat = 0; repeat < 20; repeat++)
            {
                CollectionAssert.AreEqual(expected[i % operands.Length], o.RunOnCopy(accumulate: false, maxThreads: 2));
            }
        });
    }

    [TestMethod]
    public void PortablePathAgreesWithIntrinsicPath()
    {
        var random = new Random(3);
        foreach (Variant variant in Enum.GetValues<Variant>())
        {
            var operands = Operands.Create(variant, 64, 512, 128, pad: 0, random);
            float[] best = operands.RunOnCopy(accumulate: false, maxThreads: 1);
            float[] portable;
            using (new ForcedInstructionSet(GemmInstructionSet.Portable))
            {
                portable = operands.RunOnCopy(accumulate: false, maxThreads: 1);
            }

            AssertWithin(best, portable, 1e-5f, variant.ToString());
        }
    }

    [TestMethod]
    public void AllocatesNothingAfterWarmUp()
    {
        var random = new Random(11);
        (int, int, int)[] shapes = [(64, 512, 128), (2, 5, 3), (1, 512, 128), (512, 8, 300), (130, 40, 20), (3, 700, 100)];
        foreach (GemmInstructionSet isa in InstructionSets().Select(row => Enum.Parse<GemmInstructionSet>((string)row[0])))
        {
            using var forced = new ForcedInstructionSet(isa);
            foreach (Variant variant in Enum.GetValues<Variant>())
            {
                foreach ((int m, int n, int k) in shapes)
                {
                    var operands = Operands.Create(variant, m, n, k, pad: 0, random);
                    float[] c = new float[operands.C.Length];
                    foreach (int threads in new[] { 1, 2 })
                    {
                        long allocated = LeastAllocatedPerWindow(() => operands.Run(c, accumulate: true, threads));
                        Assert.AreEqual(0L, allocated, $"{isa} {variant} {m}x{n}x{k} threads {threads}");
                    }
                }
            }
        }
    }

    [TestMethod]
    [DoNotParallelize] // counts every thread's allocations
    public void WorkersAllocateNothingAfterWarmUp()
    {
        var random = new Random(13);
        foreach (Variant variant in Enum.GetValues<Variant>())
        {
            foreach ((int m, int n, int k) in ParallelShapes)
            {
                var operands = Operands.Create(variant, m, n, k, pad: 0, random);
                float[] c = new float[operands.C.Length];
                long allocated = LeastAllocatedPerWindow(() => operands.Run(c, accumulate: false, maxThreads: 2), allThreads: true);
                Assert.AreEqual(0L, allocated, $"{variant} {m}x{n}x{k}");
            }
        }
    }

    /// <summary>
    /// Bytes allocated on this thread (or all threads) by 20 calls, the least over a few windows. A per-call
    /// allocation shows in every window; the runtime's own tier-up work (which sometimes allocates
    /// a few KB on the calling thread while methods are recompiled) does not repeat.
    /// </summary>
    private static long LeastAllocatedPerWindow(Action call, bool allThreads = false)
    {
        call();
        long least = long.MaxValue;
        for (int window = 0; window < 10 && least > 0; window++)
        {
            long before = Allocated(allThreads);
            for (int i = 0; i < 20; i++)
            {
                call();
            }

            least = Math.Min(least, Allocated(allThreads) - before);
        }

        return least;
    }

    private static long Allocated(bool allThreads) =>
        allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();

    [TestMethod]
    public void ZeroDepthClearsOrKeepsC()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply(2, 3, 0, [], 0, [], 3, c, 3, accumulate: true);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.MultiplyTransposedB(2, 2, 0, [], 0, [], 0, c, 3, accumulate: false);
        CollectionAssert.AreEqual(new float[] { 0, 0, 3, 0, 0, 6 }, c);
    }

    [TestMethod]
    public void TinyTutorialProduct()
    {
        // [1 2 3; 4 5 6] · Wᵀ with W 5×3.
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] w = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, -1, 0, 2];
        float[] c = new float[10];
        Gemm.MultiplyTransposedB(2, 5, 3, a, 3, w, 3, c, 5, accumulate: false);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 6, 5, 4, 5, 6, 15, 8 }, c);
    }

    [TestMethod]
    public void ArgumentErrorsNameTheArgument()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        ExpectArgument("m", () => Gemm.Multiply(-1, 2, 3, a, 3, b, 2, c, 2, false));
        ExpectArgument("n", () => Gemm.MultiplyTransposedB(2, -2, 3, a, 3, b, 3, c, 2, false));
        ExpectArgument("k", () => Gemm.MultiplyTransposedA(2, 2, -3, a, 2, b, 2, c, 2, false));
        ExpectArgument("maxThreads", () => Gemm.Multiply(2, 2, 3, a, 3, b, 2, c, 2, false, maxThreads: 0));
        ExpectArgument("lda", () => Gemm.Multiply(2, 2, 3, a, 2, b, 2, c, 2, false));
        ExpectArgument("ldb", () => Gemm.MultiplyTransposedB(2, 2, 3, a, 3, b, 2, c, 2, false));
        ExpectArgument("ldc", () => Gemm.MultiplyTransposedA(2, 2, 3, a, 2, b, 2, c, 1, false));
        ExpectArgument("a", () => Gemm.Multiply(2, 2, 3, a.AsSpan(0, 5), 3, b, 2, c, 2, false));
        ExpectArgument("a", () => Gemm.MultiplyTransposedA(2, 2, 3, a, 3, b, 2, c, 2, false));
        ExpectArgument("b", () => Gemm.MultiplyTransposedB(2, 2, 3, a, 3, b, 4, c, 2, false));
        ExpectArgument("c", () => Gemm.Multiply(2, 2, 3, a, 3, b, 2, c.AsSpan(0, 3), 2, false));

        float[] shared = new float[20];
        ExpectArgument("c", () => Gemm.Multiply(2, 2, 3, shared.AsSpan(0, 6), 3, b, 2, shared.AsSpan(5, 4), 2, false));

        // Disjoint slices of one workspace are fine.
        Gemm.Multiply(2, 2, 3, shared.AsSpan(0, 6), 3, shared.AsSpan(6, 6), 2, shared.AsSpan(12), 2, false);
    }

    [TestMethod]
    public void PlansTheHotShapesAsDesigned()
    {
        Assert.AreEqual(GemmPath.Packed, PlanOf(Variant.TransposedB, 64, 512, 128, 1, out _, out _));
        Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, 1, 512, 128, 1, out _, out _));
        Assert.AreEqual(GemmPath.Rows, PlanOf(Variant.Plain, 1, 128, 512, 1, out _, out _));
        Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, 2, 5, 3, 1, out _, out _));
        Assert.AreEqual(GemmPath.Rows, PlanOf(Variant.Plain, 2, 5, 3, 1, out _, out _));
        Assert.AreEqual(GemmPath.Packed, PlanOf(Variant.TransposedA, 512, 128, 3200, 1, out _, out _));
        PlanOf(Variant.TransposedB, 64, 512, 128, 2, out int threads, out int parts);
        Assert.AreEqual(Math.Min(2, ParallelWorkers.MaxParallelism), threads);
        Assert.AreEqual(threads * GemmDispatcher.PartsPerThread, parts);
        PlanOf(Variant.TransposedB, 2, 5, 3, 2, out threads, out parts);
        Assert.AreEqual(1, threads);
        Assert.AreEqual(1, parts);
    }

    [TestMethod]
    public void RowInvariantProductsPlanByOneSequenceNotByM()
    {
        // Varying rows per sequence: planned as 3 rows (tiny weights take the dot form), whatever M.
        foreach (int m in new[] { 1, 2, 3, 30, 7680 })
        {
            Assert.AreEqual(GemmPath.Packed, PlanOf(Variant.TransposedB, m, 256, 64, 1, out _, out _, GemmDispatcher.VaryingRows), $"M = {m}");
            Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, m, 15, 10, 1, out _, out _, GemmDispatcher.VaryingRows), $"M = {m}");
            Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, m, 2, 64, 1, out _, out _, GemmDispatcher.VaryingRows), $"M = {m}");
            Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, m, 256, 64, 1, out _, out _, sequenceRows: 1), $"M = {m}");
        }

        // Without it, the same products change path with M.
        Assert.AreEqual(GemmPath.Dots, PlanOf(Variant.TransposedB, 2, 256, 64, 1, out _, out _));
        Assert.AreEqual(GemmPath.Packed, PlanOf(Variant.TransposedB, 256, 256, 64, 1, out _, out _));
    }

    // A row-invariant product of one row per sequence (the recurrent product) against the row-by-row dot product written
    // out here with Dot1's operations: lane-wise fused multiply-adds from zero in depth order, the vector's sum, then the
    // sequential tail. From a vector's depth on that is the blocked dot form; below it any path may run (all sum in depth
    // order from zero), so this also checks that they round alike.
    [TestMethod]
    public void BlockedDotsEqualRowByRowDotProductsBitForBit()
    {
        // With AVX and 8 lanes the tile's sums take the horizontal-add reduction, so that is what this checks there.
        Assert.AreEqual(System.Runtime.Intrinsics.X86.Avx.IsSupported && System.Numerics.Vector<float>.Count == 8, GemmSmallKernels.PairedSums);
        var random = new Random(7);
        int[] depths = [1, 3, 7, 8, 9, 17, 64, 100, 1100];
        int[] columns = [1, 3, 4, 5, 256];
        foreach (int k in depths)
            foreach (int n in columns)
            {
                int m = random.Next(1, 71);
                int lda = k + random.Next(0, 3), ldb = k + random.Next(0, 3), ldc = n + random.Next(0, 3);
                float[] a = RandomValues(random, (m - 1) * lda + k);
                float[] b = RandomValues(random, (n - 1) * ldb + k);
                bool accumulate = random.Next(2) == 1;
                float[] c = RandomValues(random, (m - 1) * ldc + n);
                float[] expected = (float[])c.Clone();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        float dot = ReferenceDot(a.AsSpan(i * lda, k), b.AsSpan(j * ldb, k));
                        expected[i * ldc + j] = accumulate ? expected[i * ldc + j] + dot : dot;
                    }

                foreach (int threads in new[] { 1, 2 })
                {
                    float[] actual = (float[])c.Clone();
                    Gemm.MultiplyTransposedB(m, n, k, a, lda, b, ldb, actual, ldc, accumulate, threads, sequenceRows: 1);
                    for (int e = 0; e < actual.Length; e++)
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[e]), BitConverter.SingleToInt32Bits(actual[e]),
                            $"M {m}, N {n}, K {k}, threads {threads}: element {e}");
                }
            }
    }

    private static float ReferenceDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int w = System.Numerics.Vector<float>.Count, p = 0;
        System.Numerics.Vector<float> lanes = default;
        for (; p + w <= x.Length; p += w)
            lanes = System.Numerics.Vector.FusedMultiplyAdd(new System.Numerics.Vector<float>(x.Slice(p, w)), new System.Numerics.Vector<float>(y.Slice(p, w)), lanes);
        float sum = System.Numerics.Vector.Sum(lanes);
        for (; p < x.Length; p++)
            sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
        return sum;
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static unsafe GemmPath PlanOf(Variant variant, int m, int n, int k, int maxThreads, out int threads, out int parts, int sequenceRows = 0)
    {
        StridedMatrix a = variant == Variant.TransposedA ? new StridedMatrix(null, 1, m) : new StridedMatrix(null, k, 1);
        StridedMatrix b = variant == Variant.TransposedB ? new StridedMatrix(null, 1, k) : new StridedMatrix(null, n, 1);
        var problem = new GemmProblem(m, n, k, a, b, new StridedMatrix(null, n, 1), accumulate: false, sequenceRows: sequenceRows);
        return GemmDispatcher.Plan(ref problem, maxThreads, out threads, out parts).Path;
    }

    private static void ExpectArgument(string name, Action call)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(call);
        Assert.AreEqual(name, e.ParamName);
    }

    private static void AssertWithin(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i]))
            {
                continue;
            }

            float scale = Math.Max(1f, Math.Abs(expected[i]));
            Assert.IsTrue(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"{what}: element {i} {actual[i]} vs {expected[i]}");
        }
    }

    /// <summary>Random operands of one product, with NaN in every padding slot of C.</summary>
    private sealed class Operands
    {
        private Variant _variant;
        private int _m, _n, _k, _lda, _ldb, _ldc;

        public float[] A { get; private set; } = [];

        public float[] B { get; private set; } = [];

        public float[] C { get; private set; } = [];

        public static Operands Create(Variant variant, int m, int n, int k, int pad, Random random)
        {
            var o = new Operands { _variant = variant, _m = m, _n = n, _k = k };
            (int aRows, int aCols) = variant == Variant.TransposedA ? (k, m) : (m, k);
            (int bRows, int bCols) = variant == Variant.TransposedB ? (n, k) : (k, n);
            o._lda = aCols + pad;
            o._ldb = bCols + pad;
            o._ldc = n + pad;
            o.A = Fill(aRows, aCols, o._lda, random, padding: 1e30f);
            o.B = Fill(bRows, bCols, o._ldb, random, padding: 1e30f);
            o.C = Fill(m, n, o._ldc, random, padding: float.NaN);
            return o;
        }

        public float[] RunOnCopy(bool accumulate, int maxThreads)
        {
            float[] c = (float[])C.Clone();
            if (!accumulate)
            {
                Array.Fill(c, float.NaN); // an overwrite must not read C
            }

            Run(c, accumulate, maxThreads);
            return c;
        }

        public void Run(float[] c, bool accumulate, int maxThreads)
        {
            GemmCall call = _variant switch
            {
                Variant.TransposedB => (m, n, k, a, lda, b, ldb, c, ldc, accumulate, maxThreads, cancellation) =>
                    Gemm.MultiplyTransposedB(m, n, k, a, lda, b, ldb, c, ldc, accumulate, maxThreads, cancellation),
                Variant.Plain => Gemm.Multiply,
                _ => Gemm.MultiplyTransposedA,
            };
            call(_m, _n, _k, A, _lda, B, _ldb, c, _ldc, accumulate, maxThreads, CancellationToken.None);
        }

        public void AssertClose(float[] actual, bool accumulate, string what)
        {
            Assert.AreEqual(C.Length, actual.Length);
            for (int i = 0; i < _m; i++)
            {
                for (int j = 0; j < _n; j++)
                {
                    double sum = accumulate ? C[i * _ldc + j] : 0;
                    double magnitude = Math.Abs(sum);
                    for (int p = 0; p < _k; p++)
                    {
                        double term = (double)AAt(i, p) * BAt(p, j);
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    float got = actual[i * _ldc + j];
                    double tolerance = 1e-6 * Math.Sqrt(_k + 1) * magnitude + 1e-30;
                    Assert.IsTrue(Math.Abs(got - sum) <= tolerance, $"{what}: C[{i},{j}] = {got}, expected {sum}");
                }

                for (int j = _n; j < _ldc && i * _ldc + j < actual.Length; j++)
                {
                    Assert.IsTrue(float.IsNaN(actual[i * _ldc + j]), $"{what}: padding C[{i},{j}] was written");
                }
            }
        }

        private float AAt(int i, int p) => _variant == Variant.TransposedA ? A[p * _lda + i] : A[i * _lda + p];

        private float BAt(int p, int j) => _variant == Variant.TransposedB ? B[j * _ldb + p] : B[p * _ldb + j];

        private static float[] Fill(int rows, int cols, int ld, Random random, float padding)
        {
            // Tight storage: the last row ends at its last column, as the argument checks allow.
            int length = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = i % ld < cols ? (float)(random.NextDouble() * 2 - 1) : padding;
            }

            return data;
        }
    }

    /// <summary>Forces an instruction set on this thread for the lifetime of the scope.</summary>
    private readonly struct ForcedInstructionSet : IDisposable
    {
        private readonly GemmInstructionSet? _previous;

        public ForcedInstructionSet(GemmInstructionSet isa)
        {
            _previous = GemmInstructionSets.ForcedOnCurrentThread;
            GemmInstructionSets.ForcedOnCurrentThread = isa;
        }

        public void Dispose() => GemmInstructionSets.ForcedOnCurrentThread = _previous;
    }
}
