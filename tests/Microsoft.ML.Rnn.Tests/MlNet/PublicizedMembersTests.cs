using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// build/PublicizedMembers.txt lists the ML.NET internals the package compiles against. The publicizer fails the build
/// on an entry that names nothing; this checks, by reflection over the real assemblies loaded here, that every entry
/// still names something outside code cannot reach, so an entry left behind after ML.NET made its member public (or
/// after a version bump) is caught.
/// </summary>
[TestClass]
public sealed partial class PublicizedMembersTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [TestMethod]
    public void EveryEntryNamesSomethingInternalInTheRealMlNet()
    {
        string root = typeof(PublicizedMembersTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
        string[] lines = File.ReadAllLines(Path.Combine(root, "build", "PublicizedMembers.txt"));

        // The two assemblies build/Publicize.targets publicizes, as loaded at run time.
        // A lookup: both define some compiler-embedded types of the same name.
        ILookup<string, Type> types = new[] { typeof(IHostEnvironment).Assembly, typeof(MLContext).Assembly }
            .SelectMany(a => a.GetTypes())
            .ToLookup(t => t.FullName!.Replace('+', '.'), StringComparer.Ordinal);
        Assert.IsTrue(types.Contains("Microsoft.ML.ModelSaveContext") && types.Contains("Microsoft.ML.Data.RowToRowTransformerBase"),
            "the loaded assemblies are Microsoft.ML.Core and Microsoft.ML.Data");

        var problems = new List<string>();
        int entries = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            entries++;
            string where = $"PublicizedMembers.txt({i + 1}) '{line}'";
            Match entry = Entry().Match(line);
            if (!entry.Success)
            {
                problems.Add($"{where}: not an entry");
                continue;
            }

            string kind = entry.Groups["kind"].Value;
            string name = entry.Groups["name"].Value;
            if (kind == "T")
            {
                if (!types.Contains(name))
                    problems.Add($"{where}: no such type");
                else if (types[name].All(Reachable))
                    problems.Add($"{where}: the type is already public (or protected in a public type); remove the entry");
                continue;
            }

            int dot = name.LastIndexOf('.');
            if (dot <= 0 || !types.Contains(name[..dot]))
            {
                problems.Add($"{where}: no such type");
                continue;
            }

            MemberTypes memberTypes = kind switch
            {
                "M" => MemberTypes.Method | MemberTypes.Constructor,
                "F" => MemberTypes.Field,
                "P" => MemberTypes.Property,
                _ => MemberTypes.Event,
            };
            string memberName = name[(dot + 1)..].Replace('#', '.');
            MemberInfo[] members = types[name[..dot]].SelectMany(t => t.GetMember(memberName, memberTypes, Declared)).ToArray();
            if (members.Length == 0)
                problems.Add($"{where}: no such member");
            else if (members.All(m => Reachable(m.DeclaringType!) && Reachable(m)))
                problems.Add($"{where}: already public or protected in a public type; remove the entry");
        }

        Assert.IsGreaterThan(0, entries, "the allow-list has entries");
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    // As the compiler sees it from another assembly: public, or protected (reachable by deriving), all the way out.
    private static bool Reachable(Type type) =>
        (type.IsPublic || type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem) &&
        (type.DeclaringType is null || Reachable(type.DeclaringType));

    private static bool Reachable(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(Reachable),
        EventInfo e => e.AddMethod is { } add && Reachable(add),
        _ => throw new ArgumentException($"unexpected member {member}", nameof(member)),
    };

    [GeneratedRegex(@"^(?<kind>[TMFPE]):(?<name>[^\s(),]+)$")]
    private static partial Regex Entry();
}
