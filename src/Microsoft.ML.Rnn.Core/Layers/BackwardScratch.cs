namespace Microsoft.ML.Rnn.Core;

/// <summary>Buffers one direction's backward pass uses and the next direction reuses.</summary>
internal sealed class BackwardScratch
{
    public float[] DGates = [];
    public float[] DHiddenGates = [];
    public float[] DH = [];
    public float[] DHCarry = [];
    public float[] DHDirect = [];
    public float[] DC = [];
}
