// A user's console app with the Rnn.Extensions.ML package installed from a feed (tests/PackageInstall/run.sh copies it
// into a fresh `dotnet new console` app; it is not built in the repository).
// Arguments: the .nupkg, the .snupkg, and the Microsoft.ML version the app references.
// 1. Checks the package: exactly our two assemblies and their XML docs (no ML.NET assembly, in particular not the
//    publicized compile-time copies of Microsoft.ML.Core/Data), the README, the metadata, the dependency range; the
//    symbols package holds both PDBs.
// 2. Trains a tiny LSTM, saves it, loads it in a fresh MLContext, predicts, and compares with the trained model.
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

string nupkg = args[0], snupkg = args[1], mlNetVersion = args[2];
var problems = new List<string>();

void Expect(bool condition, string problem)
{
    if (!condition)
        problems.Add(problem);
}

static string[] Files(ZipArchive zip) => zip.Entries.Select(e => e.FullName)
    .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal) && n != "[Content_Types].xml")
    .Order(StringComparer.Ordinal).ToArray();

using (ZipArchive zip = ZipFile.OpenRead(nupkg))
{
    string[] files = Files(zip);
    Console.WriteLine($"{Path.GetFileName(nupkg)}:\n  {string.Join("\n  ", files)}");
    string[] expected =
    [
        "README.md",
        "Rnn.Extensions.ML.nuspec",
        "lib/net10.0/Microsoft.ML.Rnn.Core.dll",
        "lib/net10.0/Microsoft.ML.Rnn.Core.xml",
        "lib/net10.0/Microsoft.ML.Rnn.dll",
        "lib/net10.0/Microsoft.ML.Rnn.xml",
    ];
    Expect(files.SequenceEqual(expected), $"the package holds [{string.Join(", ", files)}], expected [{string.Join(", ", expected)}]");
    string[] mlNetCopies = files.Where(f => Regex.IsMatch(Path.GetFileName(f), @"^Microsoft\.ML\.(Core|Data)\.dll$", RegexOptions.IgnoreCase)).ToArray();
    Expect(mlNetCopies.Length == 0, $"the package carries ML.NET assemblies (the publicized copies?): {string.Join(", ", mlNetCopies)}");

    XDocument nuspec;
    using (Stream stream = zip.GetEntry("Rnn.Extensions.ML.nuspec")!.Open())
        nuspec = XDocument.Load(stream);
    XNamespace ns = nuspec.Root!.Name.Namespace;
    XElement metadata = nuspec.Root.Element(ns + "metadata")!;
    string? Meta(string name) => metadata.Element(ns + name)?.Value;
    Expect(Meta("id") == "Rnn.Extensions.ML", $"id '{Meta("id")}'");
    Expect(metadata.Element(ns + "license") is { } license && (string?)license.Attribute("type") == "expression" && license.Value == "MIT",
        $"licence '{metadata.Element(ns + "license")}'");
    Expect(Meta("readme") == "README.md", $"readme '{Meta("readme")}'");
    XElement? repository = metadata.Element(ns + "repository");
    Expect(repository is not null && (string?)repository.Attribute("type") == "git" && Regex.IsMatch((string?)repository.Attribute("commit") ?? "", "^[0-9a-f]{40}$"),
        $"repository '{repository}'");
    Expect(!string.IsNullOrWhiteSpace(Meta("description")), "no description");

    Dictionary<string, string> dependencies = metadata.Descendants(ns + "dependency")
        .ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
    Console.WriteLine($"dependencies: {string.Join(", ", dependencies.Select(d => $"{d.Key} {d.Value}"))}");
    Expect(dependencies.GetValueOrDefault("Microsoft.ML") == "[5.0.1, 7.0.0)", $"Microsoft.ML dependency '{dependencies.GetValueOrDefault("Microsoft.ML")}'");
    Expect(!dependencies.ContainsKey("Microsoft.ML.Rnn.Core"), "a dependency on a Microsoft.ML.Rnn.Core package (the core is packed inside)");
    Expect(dependencies.Keys.All(id => !id.StartsWith("Microsoft.ML.Rnn", StringComparison.Ordinal) && !id.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)),
        "a dependency on one of our projects or on the analyzers");
}

using (ZipArchive zip = ZipFile.OpenRead(snupkg))
{
    string[] files = Files(zip);
    Console.WriteLine($"{Path.GetFileName(snupkg)}:\n  {string.Join("\n  ", files)}");
    string[] expected = ["Rnn.Extensions.ML.nuspec", "lib/net10.0/Microsoft.ML.Rnn.Core.pdb", "lib/net10.0/Microsoft.ML.Rnn.pdb"];
    Expect(files.SequenceEqual(expected), $"the symbols package holds [{string.Join(", ", files)}], expected [{string.Join(", ", expected)}]");
}

// The ML.NET this app runs against is the one it asked for, and the package's assemblies came from the package.
// (ML.NET keeps its assembly version at 1.0.0.0: the informational version says the release, "6.0.0+<commit>".)
string running = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
Console.WriteLine($"Microsoft.ML {running} (the app references {mlNetVersion}); Microsoft.ML.Rnn from {typeof(RnnTrainer).Assembly.Location}");
Expect(running.Split('+')[0] == mlNetVersion, $"running against Microsoft.ML {running}, the app references {mlNetVersion}");
Expect(typeof(RnnTrainer).Assembly.Location.StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal), "Microsoft.ML.Rnn is not deployed with the app");

// Train, save, load, predict.
var ml = new MLContext(seed: 1);
List<Day> days = Enumerable.Range(0, 300).Select(t => new Day { Value = MathF.Sin(t / 6f) }).ToList();
IDataView windows = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(days), "Value", windowLength: 10);
ITransformer model = ml.Regression.Trainers.Rnn(new RnnTrainer.Options { Cell = RnnCellType.Lstm, HiddenSize = 8, MaxEpochs = 20 }).Fit(windows);
RegressionMetrics metrics = ml.Regression.Evaluate(model.Transform(windows));
Console.WriteLine($"trained: RMSE {metrics.RootMeanSquaredError:F4} on a sine wave of amplitude 1");
Expect(metrics.RootMeanSquaredError < 0.35, $"RMSE {metrics.RootMeanSquaredError} after training: it did not learn");

string path = Path.Combine(Path.GetTempPath(), $"package-install-{Guid.NewGuid():N}.zip");
try
{
    ml.Model.Save(model, windows.Schema, path);
    var app = new MLContext();
    ITransformer loaded = app.Model.Load(path, out _);
    float[] last = days.TakeLast(10).Select(d => d.Value).ToArray();
    float before = ml.Model.CreatePredictionEngine<Window, Prediction>(model).Predict(new Window { Features = last }).Score;
    float after = app.Model.CreatePredictionEngine<Window, Prediction>(loaded).Predict(new Window { Features = last }).Score;
    Console.WriteLine($"saved, loaded, predicted: {after:R} (the trained model: {before:R})");
    Expect(float.IsFinite(after) && after == before, $"the loaded model predicts {after:R}, the trained one {before:R}");
}
finally
{
    File.Delete(path);
}

if (problems.Count > 0)
{
    Console.Error.WriteLine("package-install FAILED:\n  " + string.Join("\n  ", problems));
    return 1;
}
Console.WriteLine("package-install: all checks passed");
return 0;

public sealed class Day
{
    public float Value { get; set; }
}

public sealed class Window
{
    [VectorType(10)] public float[] Features { get; set; } = [];
}

public sealed class Prediction
{
    public float Score { get; set; }
}
