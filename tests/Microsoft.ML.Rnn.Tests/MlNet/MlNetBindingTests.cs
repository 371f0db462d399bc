using System.Reflection;
using Mono.Cecil;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// Microsoft.ML.Rnn.dll is compiled against Microsoft.ML 5.0.1 (with some of its internals, build/PublicizedMembers.txt)
/// and runs against whatever Microsoft.ML the application references: the tests run on 5.0.1 and, with
/// -p:MlNetVersion=6.0.0, on 6.0.0 (.ci/run). The round trips and the separate-process load show the paths they take
/// work; this shows every ML.NET type, method and field the compiled assembly binds to, on any path, exists with the
/// same signature in the ML.NET assemblies deployed beside the tests (the ones they run against). A member that moved
/// or changed its signature in a new ML.NET would otherwise surface only as a MissingMethodException on the path
/// that uses it.
/// </summary>
[TestClass]
public sealed class MlNetBindingTests
{
    [TestMethod]
    public void EveryMlNetMemberThePackageBindsToResolvesInTheDeployedMlNet()
    {
        string directory = AppContext.BaseDirectory;
        using var resolver = new DefaultAssemblyResolver();
        foreach (string search in resolver.GetSearchDirectories())
            resolver.RemoveSearchDirectory(search);
        resolver.AddSearchDirectory(directory);
        using ModuleDefinition module = ModuleDefinition.ReadModule(
            Path.Combine(directory, "Microsoft.ML.Rnn.dll"), new ReaderParameters { AssemblyResolver = resolver });

        // The ML.NET assemblies it references, and that they are the deployed ones.
        string[] mlNet = module.AssemblyReferences.Select(r => r.Name)
            .Where(n => n == "Microsoft.ML" || n.StartsWith("Microsoft.ML.", StringComparison.Ordinal))
            .Where(n => !n.StartsWith("Microsoft.ML.Rnn", StringComparison.Ordinal))
            .ToArray();
        CollectionAssert.IsSubsetOf(new[] { "Microsoft.ML.Core", "Microsoft.ML.Data" }, mlNet, string.Join(", ", mlNet));
        foreach (string name in mlNet)
            Assert.IsTrue(File.Exists(Path.Combine(directory, name + ".dll")), $"{name}.dll is not deployed beside the tests");

        bool IsMlNet(TypeReference type)
        {
            while (type is TypeSpecification spec)
                type = spec.ElementType;
            return type.Scope is AssemblyNameReference scope && mlNet.Contains(scope.Name);
        }

        var problems = new List<string>();
        int types = 0, members = 0;
        foreach (TypeReference type in module.GetTypeReferences().Where(IsMlNet))
        {
            types++;
            if (type.Resolve() is null)
                problems.Add($"type {type.FullName} ({type.Scope.Name}) is not found");
        }
        foreach (MemberReference member in module.GetMemberReferences().Where(m => IsMlNet(m.DeclaringType)))
        {
            members++;
            IMemberDefinition? resolved = member switch
            {
                MethodReference method => method.Resolve(),
                FieldReference field => field.Resolve(),
                _ => null,
            };
            if (resolved is null)
                problems.Add($"{member.FullName} is not found with that signature");
        }

        // Microsoft.ML.Rnn uses dozens of ML.NET types and members (IDataView, the schema, the host, the model file…).
        Assert.IsGreaterThan(20, types, "ML.NET type references found");
        Assert.IsGreaterThan(50, members, "ML.NET member references found");
        Assert.IsEmpty(problems, $"against the Microsoft.ML {typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion} deployed here:\n" + string.Join("\n", problems));
    }
}
