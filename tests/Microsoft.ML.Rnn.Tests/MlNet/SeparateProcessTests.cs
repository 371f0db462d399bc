using System.Diagnostics;
using System.Reflection;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// A saved model loads and scores bit-identically in a separate process whose code only uses ML.NET
/// (tests/ModelLoadProbe): no registration call, the loader is found from the assembly name in the zip.
/// </summary>
[TestClass]
public sealed class SeparateProcessTests
{
    [TestMethod]
    [DataRow(RnnTask.Regression, RnnHead.ManyToOne, RnnCellType.Lstm)]
    [DataRow(RnnTask.BinaryClassification, RnnHead.ManyToMany, RnnCellType.Gru)]
    [DataRow(RnnTask.MulticlassClassification, RnnHead.ManyToOne, RnnCellType.Rnn)]
    [DataRow(RnnTask.Regression, RnnHead.OneToMany, RnnCellType.Lstm)]
    [DataRow(RnnTask.MulticlassClassification, RnnHead.EncoderDecoder, RnnCellType.Gru)]
    public void SavedModelScoresIdenticallyInAProcessThatNeverNamesThePackage(RnnTask task, RnnHead head, RnnCellType cell)
    {
        string probe = typeof(SeparateProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ModelLoadProbe").Value!;
        Assert.IsTrue(File.Exists(probe), $"the probe was not built: {probe}");

        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, task, head, rows: 12);
        ITransformer model = TestData.Pipeline(ml, task, TestData.Options(cell, head, epochs: 2)).Fit(data);
        string[] columns = task switch
        {
            RnnTask.Regression => ["Score"],
            RnnTask.BinaryClassification => ["Score", "Probability"],
            _ => ["Score", "PredictedLabel"],
        };
        List<string> expected = TestData.OutputBits(model.Transform(data), columns);

        string modelPath = TestData.TempPath(), dataPath = TestData.TempPath(".idv");
        try
        {
            ml.Model.Save(model, data.Schema, modelPath);
            using (FileStream stream = File.Create(dataPath))
                ml.Data.SaveAsBinary(data, stream);

            var start = new ProcessStartInfo(DotnetHost.Path, ["exec", probe, modelPath, dataPath, .. columns])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the probe did not finish");
            Assert.AreEqual(0, process.ExitCode, errors.Result);
            string[] lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            CollectionAssert.AreEqual(expected, lines);
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(dataPath);
        }
    }
}
