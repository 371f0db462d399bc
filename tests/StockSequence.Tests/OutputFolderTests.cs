namespace StockSequence.Tests;

/// <summary><c>--out</c> that cannot take the results: refused before training, exit code 2, one line, no stack trace.</summary>
[TestClass]
public sealed class OutputFolderTests
{
    [TestMethod]
    public void AnExistingFileIsRefusedBeforeTraining()
    {
        string file = Path.GetTempFileName();
        try
        {
            var (exit, output, error) = Run(file);

            Assert.AreEqual(2, exit);
            Assert.AreEqual($"error: --out '{file}' is a file, not a folder. Give a folder (it is created if missing).", OneLine(error));
            Assert.DoesNotContain("epoch", output, "nothing was trained");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void AFolderThatCannotBeCreatedIsRefusedBeforeTraining()
    {
        string file = Path.GetTempFileName();
        try
        {
            var (exit, output, error) = Run(Path.Combine(file, "results"));

            Assert.AreEqual(2, exit);
            Assert.Contains("the folder cannot be created", OneLine(error));
            Assert.DoesNotContain("epoch", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>/proc exists and takes no new files, whoever asks (permissions cannot show this to an administrator).</summary>
    [TestMethod]
    [OSCondition(OperatingSystems.Linux)]
    public void AFolderThatTakesNoFilesIsRefusedBeforeTraining()
    {
        var (exit, output, error) = Run("/proc");

        Assert.AreEqual(2, exit);
        Assert.StartsWith("error: --out '/proc': cannot write files in this folder", OneLine(error));
        Assert.DoesNotContain("epoch", output);
    }

    [TestMethod]
    public void AMissingFolderIsCreatedAndLeftWithoutTheProbeFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "stock-out-" + Guid.NewGuid().ToString("N"), "nested");
        try
        {
            OutputFolder.Prepare(dir);

            Assert.IsTrue(Directory.Exists(dir));
            Assert.IsEmpty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    private static (int Exit, string Output, string Error) Run(string outDir)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = StockSequenceApp.Run(["--quick", "--epochs", "1", "--hidden", "4", "--out", outDir], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string OneLine(string text)
    {
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, text);
        return lines[0];
    }
}
