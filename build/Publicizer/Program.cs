using Mono.Cecil;

namespace Publicizer;

/// <summary>
/// Writes a copy of each input assembly in which every type and member is public, so the C# compiler
/// lets Microsoft.ML.Rnn use ML.NET's internal extension points. The copies are compile-time
/// references only; at run time the real assemblies load and <c>IgnoresAccessChecksToAttribute</c>
/// lets the runtime accept the access.
/// </summary>
/// <remarks>
/// Usage: <c>Publicizer &lt;output-directory&gt; [--search &lt;directory&gt;]... &lt;assembly.dll&gt;...</c>.
/// The search directories hold the assemblies the inputs reference (Cecil resolves some of them while
/// writing). Each output is written to a temporary file and moved into place, so a reader never sees a
/// half-written assembly.
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        var inputs = new List<string>();
        using var resolver = new DefaultAssemblyResolver();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--search" && i + 1 < args.Length)
            {
                resolver.AddSearchDirectory(args[++i]);
            }
            else
            {
                inputs.Add(args[i]);
            }
        }

        if (args.Length < 2 || inputs.Count == 0)
        {
            Console.Error.WriteLine("usage: Publicizer <output-directory> [--search <directory>]... <assembly.dll>...");
            return 2;
        }

        foreach (string input in inputs)
        {
            resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input)));
        }

        string outputDirectory = args[0];
        Directory.CreateDirectory(outputDirectory);
        foreach (string input in inputs)
        {
            string output = Path.Combine(outputDirectory, Path.GetFileName(input));
            string temporary = output + "." + Environment.ProcessId + ".tmp";
            try
            {
                using (var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { ReadingMode = ReadingMode.Immediate, AssemblyResolver = resolver }))
                {
                    int changed = Publicize(assembly.MainModule);
                    assembly.Write(temporary);
                    Console.WriteLine($"Publicizer: {Path.GetFileName(input)}: {changed} types and members made accessible -> {output}");
                }
                File.Move(temporary, output, overwrite: true);
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException or AssemblyResolutionException)
            {
                Console.Error.WriteLine($"Publicizer: error: could not publicize '{input}': {e.Message}");
                File.Delete(temporary);
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Makes every type and member of the module accessible; returns how many were changed.</summary>
    private static int Publicize(ModuleDefinition module)
    {
        int changed = 0;
        foreach (TypeDefinition type in module.GetTypes())
        {
            if (IsCompilerGenerated(type))
            {
                continue;
            }

            changed += PublicizeType(type);
            var eventNames = new HashSet<string>(type.Events.Select(e => e.Name), StringComparer.Ordinal);
            foreach (MethodDefinition method in type.Methods)
            {
                changed += PublicizeMethod(method);
            }

            foreach (FieldDefinition field in type.Fields)
            {
                // Backing fields would clash with their property or event by name (or mean nothing).
                if (IsCompilerGenerated(field) || eventNames.Contains(field.Name))
                {
                    continue;
                }

                if (!field.IsPublic)
                {
                    field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | FieldAttributes.Public;
                    changed++;
                }
            }
        }

        return changed;
    }

    private static int PublicizeType(TypeDefinition type)
    {
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        TypeAttributes wanted = type.IsNested ? TypeAttributes.NestedPublic : TypeAttributes.Public;
        if (visibility == wanted)
        {
            return 0;
        }

        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | wanted;
        return 1;
    }

    private static int PublicizeMethod(MethodDefinition method)
    {
        MethodAttributes access = method.Attributes & MethodAttributes.MemberAccessMask;

        // Explicit interface implementations stay private: they are reached through the interface.
        if (access == MethodAttributes.Private && method.HasOverrides)
        {
            return 0;
        }

        MethodAttributes wanted = MethodAttributes.Public;

        // An overridable member that is 'protected', 'private protected' or 'protected internal' becomes
        // (or stays) 'protected': C# requires an override to repeat the base's accessibility, so a public
        // copy would make our override fail to compile (the runtime accepts the widening to protected).
        if (method.IsVirtual && !method.IsFinal &&
            access is MethodAttributes.Family or MethodAttributes.FamANDAssem or MethodAttributes.FamORAssem)
        {
            wanted = MethodAttributes.Family;
        }

        if (access == wanted)
        {
            return 0;
        }

        method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | wanted;
        return 1;
    }

    private static bool IsCompilerGenerated(ICustomAttributeProvider member) =>
        member.HasCustomAttributes &&
        member.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.CompilerGeneratedAttribute");
}
