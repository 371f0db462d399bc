using Mono.Cecil;

namespace Publicizer;

/// <summary>Changes the accessibility of allow-listed types and members, and of their containers (see <see cref="Program"/>).</summary>
internal sealed class AccessRewriter
{
    // Several when both assemblies define a type of that name (compiler-embedded attributes do); an entry applies to each.
    private readonly ILookup<string, TypeDefinition> _types;
    private readonly HashSet<TypeDefinition> _listedTypes = [];
    private readonly HashSet<IMemberDefinition> _listedMembers = [];

    /// <summary>Indexes the modules' types by documentation-ID name (nested types joined with '.').</summary>
    public AccessRewriter(IEnumerable<ModuleDefinition> modules)
    {
        _types = modules.SelectMany(m => m.GetTypes()).ToLookup(t => t.FullName.Replace('/', '.'), StringComparer.Ordinal);
    }

    /// <summary>How many types and members were made accessible.</summary>
    public int Widened { get; private set; }

    /// <summary>How many members and nested types of containers were narrowed.</summary>
    public int Narrowed { get; private set; }

    /// <summary>Records what the entry names, for <see cref="Apply"/>; false if it names nothing.</summary>
    public bool Allow(AllowEntry entry)
    {
        bool matched = false;
        foreach (TypeDefinition type in _types[entry.TypeName])
        {
            matched |= Allow(entry, type);
        }

        return matched;
    }

    private bool Allow(AllowEntry entry, TypeDefinition type)
    {
        if (entry.Kind == 'T')
        {
            _listedTypes.Add(type);
            return true;
        }

        IEnumerable<MethodDefinition?> methods = entry.Kind switch
        {
            'M' => type.Methods.Where(m => m.Name == entry.MemberName),
            'P' => type.Properties.Where(p => p.Name == entry.MemberName).SelectMany(p => new[] { p.GetMethod, p.SetMethod }),
            'E' => type.Events.Where(e => e.Name == entry.MemberName).SelectMany(e => new[] { e.AddMethod, e.RemoveMethod }),
            _ => [],
        };
        List<IMemberDefinition> members = [.. methods.OfType<MethodDefinition>(), .. type.Fields.Where(f => entry.Kind == 'F' && f.Name == entry.MemberName)];
        _listedMembers.UnionWith(members);
        return members.Count > 0;
    }

    /// <summary>
    /// Changes the accessibility of everything recorded by <see cref="Allow"/>: listed types and members are
    /// widened; their containers (declaring types not reachable from outside ML.NET, nor listed) are made visible
    /// with their other members and nested types narrowed, so only the listed ones become reachable through them.
    /// </summary>
    public void Apply()
    {
        // Decided on the original accessibility, before anything changes.
        var containers = new HashSet<TypeDefinition>();
        foreach (TypeDefinition? declaring in _listedTypes.Select(t => t.DeclaringType).Concat(_listedMembers.Select(m => m.DeclaringType)))
        {
            for (TypeDefinition? type = declaring; type is not null; type = type.DeclaringType)
            {
                if (!IsReachable(type))
                {
                    containers.Add(type);
                }
            }
        }

        foreach (TypeDefinition type in _listedTypes.Concat(containers))
        {
            Widen(type);
        }

        foreach (IMemberDefinition member in _listedMembers)
        {
            Widen(member);
        }

        foreach (TypeDefinition container in containers)
        {
            IEnumerable<IMemberDefinition> others = container.Methods.Concat<IMemberDefinition>(container.Fields).Concat(container.NestedTypes)
                .Where(m => !_listedMembers.Contains(m) && !(m is TypeDefinition t && (_listedTypes.Contains(t) || containers.Contains(t))));
            foreach (IMemberDefinition member in others)
            {
                Narrow(member);
            }
        }
    }

    // Reachable from outside ML.NET in the copy: listed, or accessible (public, or protected) in a reachable type.
    private bool IsReachable(TypeDefinition type) =>
        _listedTypes.Contains(type) ||
        ((type.Attributes & TypeAttributes.VisibilityMask) is TypeAttributes.Public or TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem &&
         (type.DeclaringType is null || IsReachable(type.DeclaringType)));

    // A type or member derived types could reach becomes protected (see Program); any other becomes public.
    private void Widen(IMemberDefinition member)
    {
        if (member is TypeDefinition type)
        {
            TypeAttributes wanted = !type.IsNested ? TypeAttributes.Public
                : (type.Attributes & TypeAttributes.VisibilityMask) is TypeAttributes.NestedFamily or TypeAttributes.NestedFamANDAssem or TypeAttributes.NestedFamORAssem ? TypeAttributes.NestedFamily
                : TypeAttributes.NestedPublic;
            Widened += SetVisibility(type, wanted) ? 1 : 0;
            return;
        }

        MethodAttributes access = GetAccess(member);
        Widened += SetAccess(member, access is MethodAttributes.Family or MethodAttributes.FamANDAssem or MethodAttributes.FamORAssem ? MethodAttributes.Family : MethodAttributes.Public) ? 1 : 0;
    }

    // What was public or protected in an internal type was reachable only inside ML.NET; it stays so in the visible container.
    private void Narrow(IMemberDefinition member)
    {
        if (member is TypeDefinition type)
        {
            TypeAttributes wanted = (type.Attributes & TypeAttributes.VisibilityMask) switch
            {
                TypeAttributes.NestedPublic or TypeAttributes.NestedFamORAssem => TypeAttributes.NestedAssembly,
                TypeAttributes.NestedFamily => TypeAttributes.NestedFamANDAssem,
                TypeAttributes other => other,
            };
            Narrowed += SetVisibility(type, wanted) ? 1 : 0;
            return;
        }

        MethodAttributes narrowed = GetAccess(member) switch
        {
            MethodAttributes.Public or MethodAttributes.FamORAssem => MethodAttributes.Assembly,
            MethodAttributes.Family => MethodAttributes.FamANDAssem,
            MethodAttributes other => other,
        };
        Narrowed += SetAccess(member, narrowed) ? 1 : 0;
    }

    private static bool SetVisibility(TypeDefinition type, TypeAttributes visibility)
    {
        TypeAttributes old = type.Attributes;
        type.Attributes = (old & ~TypeAttributes.VisibilityMask) | visibility;
        return type.Attributes != old;
    }

    // Fields and methods encode their accessibility with the same values (ECMA-335 II.23.1.5, II.23.1.10).
    private static MethodAttributes GetAccess(IMemberDefinition member) => member switch
    {
        MethodDefinition method => method.Attributes & MethodAttributes.MemberAccessMask,
        FieldDefinition field => (MethodAttributes)(ushort)(field.Attributes & FieldAttributes.FieldAccessMask),
        _ => throw new ArgumentException($"unexpected member kind: {member}", nameof(member)),
    };

    private static bool SetAccess(IMemberDefinition member, MethodAttributes access)
    {
        if (GetAccess(member) == access)
        {
            return false;
        }

        if (member is MethodDefinition method)
        {
            method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | access;
        }
        else
        {
            var field = (FieldDefinition)member;
            field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)(ushort)access;
        }

        return true;
    }
}
