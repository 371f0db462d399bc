using System.Runtime.CompilerServices;

// ML.NET keeps the extension points for saveable transformers internal. CoreCLR honours this attribute:
// with it, this assembly may use the internals of the named assemblies at run time. The compiler does not,
// so build/Publicize.targets compiles against publicized copies of the same assemblies.
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime to skip access checks from this assembly into the named one. The BCL does not ship the
/// type; the runtime recognises it by name.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Creates the attribute for the assembly with the given simple name.</summary>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose internals this assembly uses.</summary>
    public string AssemblyName { get; }
}
