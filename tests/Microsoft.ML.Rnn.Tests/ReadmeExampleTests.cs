using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// The README's pipeline example is tests/ReadmeExample/Program.cs word for word, so it compiles with the build; here it is
/// compared with the README and run.
/// </summary>
[TestClass]
public sealed partial class ReadmeExampleTests
{
    [TestMethod]
    public void ReadmeShowsTheCompiledExampleWordForWord()
    {
        string root = Metadata("RepositoryRoot");
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Match block = CSharpBlock().Match(readme);
        Assert.IsTrue(block.Success, "README.md has a ```csharp block");

        string program = File.ReadAllText(Path.Combine(root, "tests", "ReadmeExample", "Program.cs"));
        Assert.AreEqual(Normalize(program), Normalize(block.Groups["code"].Value),
            "README.md's C# example and tests/ReadmeExample/Program.cs must be the same text");
    }

    [TestMethod]
    public void ReadmeExampleTrainsEvaluatesSavesLoadsAndPredicts()
    {
        string example = Metadata("ReadmeExample");
        Assert.IsTrue(File.Exists(example), $"the example was not built: {example}");
        string workingDirectory = Directory.CreateTempSubdirectory("readme-example-").FullName;
        try
        {
            var start = new ProcessStartInfo(DotnetHost.Path, ["exec", example])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                // Numbers printed the invariant way, whatever the machine's culture.
                Environment = { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" },
            };
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the example did not finish");
            Assert.AreEqual(0, process.ExitCode, errors.Result);

            string text = output.Result;
            Assert.HasCount(20, Regex.Matches(text, @"^epoch \d+: train loss ", RegexOptions.Multiline), text);
            double rmse = Number(text, @"RMSE on the later windows: (\S+)");
            double next = Number(text, @"Next value: (\S+)");
            // The series is two sine waves with a standard deviation of about 0.72; a model that learned nothing but the mean
            // would score about that.
            Assert.IsLessThan(0.36, rmse, text);
            Assert.IsTrue(Math.Abs(next) < 1.3, $"the series stays within ±1.2; the forecast is {next}");
            Assert.IsTrue(File.Exists(Path.Combine(workingDirectory, "rnn.zip")));
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    private static string Metadata(string key) =>
        typeof(ReadmeExampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string Normalize(string code) => code.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static double Number(string text, string pattern)
    {
        Match match = Regex.Match(text, pattern);
        Assert.IsTrue(match.Success, $"'{pattern}' not in the output:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }


    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
