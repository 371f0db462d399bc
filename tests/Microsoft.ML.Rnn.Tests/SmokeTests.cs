namespace Microsoft.ML.Rnn.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void AssemblyLoads() => Assert.IsNotNull(typeof(Microsoft.ML.Rnn.Core.Gemm).Assembly);
}
