using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.WindowTransforms;

/// <summary>
/// Models holding the window transforms, written by the release that introduced their format (tests/fixtures/models/normalize-0x00010001),
/// load with today's code and forecast from raw windows exactly as that release did.
/// </summary>
[TestClass]
public sealed class WindowTransformFixtureTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "normalize-0x00010001");

    private sealed class RawWindow
    {
        [VectorType(WindowTransformData.WindowValues)] public float[] Features { get; set; } = [];
    }

    [TestMethod]
    [DataRow("relative-to-last-scalar")]
    [DataRow("relative-to-first-three-steps")]
    public void SavedModelForecastsFromRawWindowsAsWhenWritten(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected-scores.json")));
        JsonElement expected = document.RootElement.GetProperty(name);
        var rows = expected.GetProperty("Features").EnumerateArray()
            .Select(r => new RawWindow { Features = r.EnumerateArray().Select(v => BitConverter.UInt32BitsToSingle(uint.Parse(v.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray() })
            .ToArray();
        string[] expectedScores = expected.GetProperty("Score").EnumerateArray().Select(r => string.Join(",", r.EnumerateArray().Select(v => v.GetString()))).ToArray();

        var ml = new MLContext(seed: 9);
        ITransformer model = ml.Model.Load(Path.Combine(Folder, name + ".zip"), out _);
        float[][] scores = WindowTransformData.Rows(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");

        Assert.HasCount(5, expectedScores);
        CollectionAssert.AreEqual(expectedScores, scores.Select(r => string.Join(",", r.Select(v => BitConverter.SingleToUInt32Bits(v).ToString("X8", CultureInfo.InvariantCulture)))).ToArray());
    }
}
