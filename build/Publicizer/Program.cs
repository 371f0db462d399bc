using Mono.Cecil;

namespace Publicizer;

/// <summary>
/// Writes a copy of each input assembly in which the types and members named by an allow-list are accessible, so
/// the C# compiler lets Microsoft.ML.Rnn use exactly those ML.NET internals and rejects any other (CS0122, or CS0117/CS1061 for a member). The
/// copies are compile-time references only; at run time the real assemblies load and
/// <c>IgnoresAccessChecksToAttribute</c> lets the runtime accept the access.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>Publicizer &lt;output-directory&gt; --allow &lt;list.txt&gt; [--search &lt;directory&gt;]... &lt;assembly.dll&gt;...</c>.
/// The list's format is described in <see cref="AllowEntry.Read"/> and in build/PublicizedMembers.txt. A listed
/// type or member becomes public, or protected if derived types could reach it (<c>private protected</c>,
/// <c>protected internal</c>): C# requires an override to repeat the base's accessibility, so a public copy
/// would make our override fail to compile. A listed type exposes the public and protected members it declares.
/// </para>
/// <para>
/// A listed member's unreachable declaring types must become visible too. Such a type ("container") is not
/// listed itself, so its other members and nested types that were public or protected, and so reachable only
/// inside ML.NET, are narrowed to internal (or private protected): outside code reaches only the listed member.
/// Everything else keeps its accessibility. An entry that matches nothing is an error, so the list cannot rot.
/// </para>
/// <para>
/// The search directories hold the assemblies the inputs reference (Cecil resolves some of them while writing).
/// Each output is written to a temporary file and moved into place, so a reader never sees a half-written assembly.
/// </para>
/// </remarks>
internal static class Program
{
    private const string Usage = "usage: Publicizer <output-directory> --allow <list.txt> [--search <directory>]... <assembly.dll>...";

    private static int Main(string[] args)
    {
        var inputs = new List<string>();
        string? allowPath = null;
        using var resolver = new DefaultAssemblyResolver();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--search" && i + 1 < args.Length)
            {
                resolver.AddSearchDirectory(args[++i]);
            }
            else if (args[i] == "--allow" && i + 1 < args.Length)
            {
                allowPath = args[++i];
            }
            else
            {
                inputs.Add(args[i]);
            }
        }

        if (args.Length < 2 || inputs.Count == 0 || allowPath is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        foreach (string input in inputs)
        {
            resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input)));
        }

        string outputDirectory = args[0];
        var assemblies = new List<(string Input, AssemblyDefinition Assembly)>();
        try
        {
            List<AllowEntry> entries = AllowEntry.Read(allowPath);
            foreach (string input in inputs)
            {
                assemblies.Add((input, AssemblyDefinition.ReadAssembly(input, new ReaderParameters { ReadingMode = ReadingMode.Immediate, AssemblyResolver = resolver })));
            }

            var access = new AccessRewriter(assemblies.Select(a => a.Assembly.MainModule));
            List<AllowEntry> unmatched = entries.Where(e => !access.Allow(e)).ToList();
            foreach (AllowEntry entry in unmatched)
            {
                // The 'file(line): error:' form makes MSBuild report it as an error at that line.
                Console.Error.WriteLine($"{Path.GetFullPath(allowPath)}({entry.Line}): error: allow-list entry '{entry.Text}' matches nothing in {string.Join(", ", assemblies.Select(a => a.Assembly.Name.Name))}; remove it or correct it.");
            }

            if (unmatched.Count > 0)
            {
                return 1;
            }

            access.Apply();
            Directory.CreateDirectory(outputDirectory);
            foreach ((string input, AssemblyDefinition assembly) in assemblies)
            {
                string output = Path.Combine(outputDirectory, Path.GetFileName(input));
                string temporary = output + "." + Environment.ProcessId + ".tmp";
                try
                {
                    assembly.Write(temporary);
                    File.Move(temporary, output, overwrite: true);
                }
                finally
                {
                    File.Delete(temporary);
                }

                Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output}");
            }

            Console.WriteLine($"Publicizer: {entries.Count} entries; {access.Widened} types and members made accessible, {access.Narrowed} narrowed in their containers.");
            return 0;
        }
        catch (Exception e) when (e is FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException or AssemblyResolutionException)
        {
            Console.Error.WriteLine($"Publicizer: error: could not publicize {string.Join(", ", inputs)}: {e.Message}");
            return 1;
        }
        finally
        {
            foreach ((_, AssemblyDefinition assembly) in assemblies)
            {
                assembly.Dispose();
            }
        }
    }
}
