namespace StockSequence;

/// <summary>
/// Makes sure the output folder can take the results before anything is trained: a run that fails at its first file write
/// has thrown away the training.
/// </summary>
public static class OutputFolder
{
    /// <summary>Creates the folder if it is missing and checks that a file can be written in it.</summary>
    /// <param name="path">The folder (<c>--out</c>).</param>
    /// <exception cref="OutputFolderException">The path is a file, or the folder cannot be created or written to.</exception>
    public static void Prepare(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            throw new OutputFolderException($"--out '{path}' is a file, not a folder. Give a folder (it is created if missing).");
        }

        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"--out '{path}': the folder cannot be created ({e.Message}). Give a folder you can create.");
        }

        // Permissions alone do not say whether a write works (an administrator ignores them, some file systems refuse all
        // new files), so try one.
        string probe = Path.Combine(path, $".write-test-{Guid.NewGuid():N}");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"--out '{path}': cannot write files in this folder ({e.Message}). Give a folder you can write to.");
        }
    }
}
