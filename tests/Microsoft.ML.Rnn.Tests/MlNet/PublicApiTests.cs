using System.Reflection;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// The package compiles against publicized ML.NET assemblies; users compile against the real ones. So nothing a
/// user can reach may name a type that is internal in the real ML.NET (checked here by reflection at run time,
/// where the real assemblies are loaded).
/// </summary>
[TestClass]
public sealed class PublicApiTests
{
    [TestMethod]
    public void PublicApiExposesNoInternalMlNetType()
    {
        var problems = new List<string>();
        Assembly assembly = typeof(RnnTrainer).Assembly;
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in assembly.GetExportedTypes())
        {
            Check(type.BaseType, $"{type} base type");
            foreach (Type i in type.GetInterfaces())
                Check(i, $"{type} implements");
            foreach (MemberInfo member in type.GetMembers(All).Where(m => Reachable(type, m)))
            {
                string where = $"{type}.{member.Name}";
                switch (member)
                {
                    case MethodBase method:
                        if (method is MethodInfo m)
                            Check(m.ReturnType, where);
                        foreach (ParameterInfo p in method.GetParameters())
                            Check(p.ParameterType, $"{where}({p.Name})");
                        break;
                    case PropertyInfo property:
                        Check(property.PropertyType, where);
                        break;
                    case FieldInfo field:
                        Check(field.FieldType, where);
                        break;
                    case EventInfo e:
                        Check(e.EventHandlerType, where);
                        break;
                }
            }
        }

        Assert.IsEmpty(problems, string.Join("\n", problems));

        void Check(Type? t, string where)
        {
            if (t is null)
                return;
            if (t.HasElementType)
            {
                Check(t.GetElementType(), where);
                return;
            }

            if (t.IsGenericParameter)
                return;
            if (!t.IsVisible)
                problems.Add($"{where}: {t.FullName} is not public");
            if (t.IsGenericType)
            {
                foreach (Type a in t.GetGenericArguments())
                    Check(a, where);
            }
        }
    }

    [TestMethod]
    public void PackageReferencesTheRealMlNetAssemblies()
    {
        // The publicized copies are compile-time only: at run time the package's own Microsoft.ML assemblies load.
        Assembly data = typeof(DataViewSchema).Assembly;
        Assert.IsFalse(typeof(Data.RowToRowTransformerBase).GetConstructors(BindingFlags.Public | BindingFlags.Instance).Any(),
            "RowToRowTransformerBase has no public constructor in the real ML.NET");
        Assert.IsNotNull(data.Location);
        StringAssert.Contains(typeof(Data.RowToRowTransformerBase).Assembly.Location.Replace('\\', '/'), "/");
        Assert.IsFalse(typeof(Data.RowToRowTransformerBase).Assembly.Location.Contains("publicized"));
    }

    /// <summary>Members a user's code can name: public ones, and protected ones of types that can be derived from.</summary>
    private static bool Reachable(Type type, MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || ((m.IsFamily || m.IsFamilyOrAssembly) && !type.IsSealed),
        FieldInfo f => f.IsPublic || ((f.IsFamily || f.IsFamilyOrAssembly) && !type.IsSealed),
        PropertyInfo p => p.GetAccessors(true).Any(a => Reachable(type, a)),
        EventInfo e => e.AddMethod is { } add && Reachable(type, add),
        Type nested => nested.IsNestedPublic,
        _ => false,
    };
}
