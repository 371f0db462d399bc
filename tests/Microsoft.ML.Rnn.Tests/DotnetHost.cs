namespace Microsoft.ML.Rnn.Tests;

/// <summary>Where to find the dotnet host for tests that start a separate process.</summary>
internal static class DotnetHost
{
    /// <summary>The dotnet host running the tests (falls back to 'dotnet' on the PATH).</summary>
    public static string Path
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host;
            string? process = Environment.ProcessPath;
            return process is not null && System.IO.Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        }
    }
}
