using System.Reflection;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Rnn.Tests.Onnx;

/// <summary>docs/onnx.md's worked example is <see cref="OnnxDocsExample"/>'s code word for word; here it is compared and run.</summary>
[TestClass]
public sealed partial class OnnxDocsExampleTests
{
    [TestMethod]
    public void DocumentShowsTheTestedExampleWordForWord()
    {
        string root = typeof(OnnxDocsExampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
        string document = File.ReadAllText(Path.Combine(root, "docs", "onnx.md"));
        string source = File.ReadAllText(Path.Combine(root, "tests", "Microsoft.ML.Rnn.Tests", "Onnx", "OnnxDocsExample.cs"));
        Match block = CSharpBlock().Match(document);
        Match example = Example().Match(source);
        Assert.IsTrue(block.Success && example.Success, "docs/onnx.md has a ```csharp block and OnnxDocsExample.cs its markers");
        Assert.AreEqual(Normalize(example.Groups["code"].Value), Normalize(block.Groups["code"].Value),
            "docs/onnx.md's C# example and tests/Microsoft.ML.Rnn.Tests/Onnx/OnnxDocsExample.cs must be the same text");
    }

    [TestMethod]
    public void ExampleScoresTheSameInOnnxRuntime()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnn-onnx-example-{Guid.NewGuid():N}.onnx");
        try
        {
            (float mlNet, float onnx) = OnnxDocsExample.Run(path);
            Assert.IsTrue(float.IsFinite(mlNet));
            Assert.AreEqual(mlNet, onnx, 1e-5f * Math.Max(Math.Abs(mlNet), 0.1f));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Lines without their common indentation and trailing spaces.</summary>
    private static string Normalize(string code)
    {
        string[] lines = code.Replace("\r", "").Trim('\n').Split('\n').Select(l => l.TrimEnd()).ToArray();
        int indent = lines.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"// <example>\n(?<code>.*?)\n\s*// </example>", RegexOptions.Singleline)]
    private static partial Regex Example();
}
