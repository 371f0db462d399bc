// THROW-AWAY: proves the internals bridge (publicized references + IgnoresAccessChecksTo). Deleted after the proof.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(BridgeProbeTransformer), null, typeof(SignatureLoadModel), "Bridge probe", BridgeProbeTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(BridgeProbeTransformer), null, typeof(SignatureLoadRowMapper), "Bridge probe", BridgeProbeTransformer.LoaderSignature)]

namespace Microsoft.ML.Rnn;

internal sealed class BridgeProbeTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "RnnBridgeProbe";
    private readonly float _offset;

    internal BridgeProbeTransformer(IHostEnvironment env, float offset) : base(env.Register(nameof(BridgeProbeTransformer))) => _offset = offset;

    private static VersionInfo GetVersionInfo() => new VersionInfo(
        modelSignature: "RNNPROBE", verWrittenCur: 0x00010001, verReadableCur: 0x00010001, verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature, loaderAssemblyName: typeof(BridgeProbeTransformer).Assembly.FullName);

    private static BridgeProbeTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        return new BridgeProbeTransformer(env, ctx.Reader.ReadSingle());
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) => Create(env, ctx).MakeRowMapper(inputSchema);

    protected override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(_offset);
    }

    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly BridgeProbeTransformer _owner;
        public Mapper(BridgeProbeTransformer parent, DataViewSchema schema) : base(parent.Host, schema, parent) => _owner = parent;

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            new[] { new DataViewSchema.DetachedColumn("Shifted", NumberDataViewType.Single) };

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var src = input.GetGetter<float>(InputSchema["X"]);
            float offset = _owner._offset;
            ValueGetter<float> getter = (ref float value) => { float x = 0; src(ref x); value = x + offset; };
            return getter;
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) => col => activeOutput(0) && col == InputSchema["X"].Index;

        protected override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);
    }
}
