using System.Runtime.CompilerServices;

namespace Microsoft.ML.Rnn.Core;

/// <summary>The registration of heads: the one place that maps <see cref="RnnHead"/> to a head.</summary>
internal static class RnnHeads
{
    /// <summary>How the outputs of <paramref name="head"/> line up with a sequence's steps (<paramref name="outputLength"/>: a decoder's M).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HeadStructure Structure(RnnHead head, int outputLength) => head switch
    {
        RnnHead.ManyToOne => ManyToOneHead.OutputStructure,
        RnnHead.ManyToMany => ManyToManyHead.OutputStructure,
        RnnHead.OneToMany or RnnHead.EncoderDecoder => HeadStructure.FixedSteps(outputLength),
        _ => throw Undefined(head),
    };

    /// <summary>A new head for <paramref name="shape"/> (each block of a batch runs its own).</summary>
    public static OutputHead Create(RnnNetworkShape shape) => shape.Head switch
    {
        RnnHead.ManyToOne => new ManyToOneHead(shape),
        RnnHead.ManyToMany => new ManyToManyHead(shape),
        RnnHead.OneToMany or RnnHead.EncoderDecoder => new DecoderHead(shape),
        _ => throw Undefined(shape.Head),
    };

    /// <summary>Whether a recurrent stack runs over an input sequence before the head (all but 1 vs N, whose layers are its decoder's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasEncoder(RnnHead head) => head != RnnHead.OneToMany;

    /// <summary>Whether the head is a decoder that emits a set number of steps (1 vs N, N vs M).</summary>
    public static bool HasDecoder(RnnHead head) => head is RnnHead.OneToMany or RnnHead.EncoderDecoder;

    /// <summary>The tutorial's name of the structure: "N vs 1", "N vs N", "1 vs N" or "N vs M".</summary>
    public static string StructureName(RnnHead head) => head switch
    {
        RnnHead.ManyToOne => "N vs 1",
        RnnHead.ManyToMany => "N vs N",
        RnnHead.OneToMany => "1 vs N",
        RnnHead.EncoderDecoder => "N vs M",
        _ => throw Undefined(head),
    };

    private static ArgumentOutOfRangeException Undefined(RnnHead head) =>
        new(nameof(head), head, $"Head is {(int)head}, which is not a defined {nameof(RnnHead)}.");
}
