namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// One product C (M×N) = A (M×K) · B (K×N), optionally added to C, with every operand already
/// expressed as a <see cref="StridedMatrix"/>. Splitting work over threads makes sub-problems of
/// this shape by offsetting rows or columns of C.
/// </summary>
internal readonly struct GemmProblem
{
    public readonly int M;
    public readonly int N;
    public readonly int K;
    public readonly StridedMatrix A;
    public readonly StridedMatrix B;
    public readonly StridedMatrix C;
    public readonly bool Accumulate;

    /// <summary>
    /// Checked once per packed block of C (at most Mc·Nc·Kc multiply-adds, about a millisecond), so a
    /// product of any size stops soon after it is cancelled; C is then partly written. The unpacked
    /// paths do not check: they run only thin products, whose work is at most twice an operand's size.
    /// </summary>
    public readonly CancellationToken Cancellation;

    /// <summary>
    /// 0: the algorithm follows this product's shape. Otherwise the product is row-invariant: it is planned as for the
    /// rows one sequence contributes (<see cref="GemmDispatcher.VaryingRows"/> when that count varies by sequence), so
    /// a sequence's results do not depend on how many sequences share the product (see <see cref="GemmDispatcher.Plan"/>).
    /// </summary>
    public readonly int SequenceRows;

    public GemmProblem(int m, int n, int k, StridedMatrix a, StridedMatrix b, StridedMatrix c, bool accumulate, CancellationToken cancellation = default,
        int sequenceRows = 0)
    {
        M = m;
        N = n;
        K = k;
        A = a;
        B = b;
        C = c;
        Accumulate = accumulate;
        Cancellation = cancellation;
        SequenceRows = sequenceRows;
    }

    /// <summary>The same product written for Cᵀ = Bᵀ·Aᵀ; every element is computed by the same operations.</summary>
    public GemmProblem Transposed => new(N, M, K, B.Transposed, A.Transposed, C.Transposed, Accumulate, Cancellation, SequenceRows);

    /// <summary>Rows [start, start + count) of C.</summary>
    public GemmProblem Rows(int start, int count) =>
        new(count, N, K, A.Offset(start, 0), B, C.Offset(start, 0), Accumulate, Cancellation, SequenceRows);

    /// <summary>Columns [start, start + count) of C.</summary>
    public GemmProblem Columns(int start, int count) =>
        new(M, count, K, A, B.Offset(0, start), C.Offset(0, start), Accumulate, Cancellation, SequenceRows);
}
