namespace Publicizer;

/// <summary>One line of the allow-list: a type (<c>T:</c>) or the members of one type with one name (<c>M:</c>, <c>F:</c>, <c>P:</c>, <c>E:</c>).</summary>
/// <param name="Kind">'T', 'M', 'F', 'P' or 'E', as in documentation IDs.</param>
/// <param name="TypeName">The type's documentation-ID name: namespace, then nesting types, separated by dots (generic arity as <c>`1</c>).</param>
/// <param name="MemberName">The member's metadata name (<c>.ctor</c> for <c>#ctor</c>); null for a type entry.</param>
/// <param name="Text">The entry as written, for messages.</param>
/// <param name="Line">Its 1-based line number in the file, for messages.</param>
internal sealed record AllowEntry(char Kind, string TypeName, string? MemberName, string Text, int Line)
{
    /// <summary>
    /// Reads the allow-list. Blank lines and lines starting with '#' are ignored; every other line is one entry
    /// such as <c>T:Microsoft.ML.VersionInfo</c> or <c>M:Microsoft.ML.ModelSaveContext.SetVersionInfo</c>
    /// (all overloads: no parameter list).
    /// </summary>
    /// <exception cref="FormatException">A line is not a well-formed entry (the message names the file and line).</exception>
    public static List<AllowEntry> Read(string path)
    {
        var entries = new List<AllowEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string text = lines[i].Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            AllowEntry? entry = Parse(text, i + 1);
            if (entry is null)
            {
                throw new FormatException($"{path}({i + 1}): error: '{text}' is not an allow-list entry: expected T:Namespace.Type, or M:, F:, P: or E: followed by Namespace.Type.Member (no parameter list; '#ctor' for constructors).");
            }

            if (!seen.Add(text))
            {
                throw new FormatException($"{path}({i + 1}): error: '{text}' is listed twice.");
            }

            entries.Add(entry);
        }

        return entries;
    }

    private static AllowEntry? Parse(string text, int line)
    {
        if (text.Length < 3 || text[1] != ':' || "TMFPE".IndexOf(text[0]) < 0 || text.AsSpan(2).IndexOfAny(" \t(),") >= 0)
        {
            return null;
        }

        string name = text[2..];
        if (text[0] == 'T')
        {
            return new AllowEntry('T', name, null, text, line);
        }

        int dot = name.LastIndexOf('.');
        if (dot <= 0 || dot == name.Length - 1)
        {
            return null;
        }

        // Documentation IDs spell constructors '#ctor' because '.' separates names.
        string member = name[(dot + 1)..].Replace('#', '.');
        return new AllowEntry(text[0], name[..dot], member, text, line);
    }
}
