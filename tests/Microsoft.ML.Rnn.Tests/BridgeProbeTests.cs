// THROW-AWAY: proves the internals bridge. Deleted after the proof.
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests;

[TestClass]
public sealed class BridgeProbeTests
{
    private sealed class Row { public float X { get; set; } }

    [TestMethod]
    public void SavesAndLoadsThroughInternals()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { X = 1 }, new Row { X = 2 } });
        ITransformer t = new BridgeProbeTransformer(ml, 0.5f);
        var path = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid() + ".zip");
        ml.Model.Save(t, data.Schema, path);
        var ml2 = new MLContext(2);
        var loaded = ml2.Model.Load(path, out var schema);
        var values = loaded.Transform(data).GetColumn<float>("Shifted").ToArray();
        CollectionAssert.AreEqual(new[] { 1.5f, 2.5f }, values);
        File.Delete(path);
    }
}
