using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// How a head's outputs line up with a sequence: how many output steps (groups of <c>OutputSize</c> values) each
/// sequence gets, and which of them are real. The network, the loss and the ML.NET side (label and score columns)
/// ask this instead of the head's kind.
/// </summary>
internal sealed class HeadStructure
{
    private static readonly ConcurrentDictionary<int, HeadStructure> FixedStepsCache = new();
    private readonly int? _fixedSteps;

    private HeadStructure(bool hasStepAxis, int? fixedSteps)
    {
        HasStepAxis = hasStepAxis;
        _fixedSteps = fixedSteps;
    }

    /// <summary>One output step per sequence, no step axis (N vs 1).</summary>
    public static HeadStructure OnePerSequence { get; } = new(hasStepAxis: false, fixedSteps: 1);

    /// <summary>One output step per input step (N vs N): steps past a sequence's end are padding.</summary>
    public static HeadStructure OnePerInputStep { get; } = new(hasStepAxis: true, fixedSteps: null);

    /// <summary>
    /// A set number of output steps per sequence, whatever its length (1 vs N, N vs M): all of them real. One instance
    /// per step count: the training step asks for it several times (the network's output length, the loss, each
    /// block's head), and must not allocate.
    /// </summary>
    public static HeadStructure FixedSteps(int steps) => FixedStepsCache.GetOrAdd(steps, static s => new HeadStructure(hasStepAxis: true, fixedSteps: s));

    /// <summary>
    /// Whether outputs have a step axis: labels and scores are vectors of one group per output step, even when a
    /// group is one value.
    /// </summary>
    public bool HasStepAxis { get; }

    /// <summary>Output steps of a sequence padded to <paramref name="inputSteps"/> steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OutputSteps(int inputSteps) => _fixedSteps ?? inputSteps;

    /// <summary>Output steps, when the input steps may not be known (null); null when the outputs follow them.</summary>
    public int? OutputSteps(int? inputSteps) => _fixedSteps ?? inputSteps;

    /// <summary>
    /// Output steps that are real for a sequence of <paramref name="length"/> real steps: the first ones of its
    /// <see cref="OutputSteps(int)"/>. The rest are padding: no part in the loss, zero gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RealOutputSteps(int length) => _fixedSteps ?? length;
}
