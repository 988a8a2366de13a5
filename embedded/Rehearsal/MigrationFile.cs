using System.Text.Json;
using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>One SQL statement of a migration; <paramref name="Autocommit"/>: outside the migration's transaction (Alembic's autocommit_block).</summary>
public sealed record MigrationStatement(string Sql, bool Autocommit = false);

/// <summary>One migration the stand-in alembic knows: its revision, the one before, and its statements both ways.</summary>
public sealed partial record MigrationFile(string Revision, string? DownRevision, IReadOnlyList<MigrationStatement> Upgrade, IReadOnlyList<MigrationStatement> Downgrade)
{
    /// <summary>A stand-in image's own SQL migration (<c>rehearsal/migrations/&lt;version&gt;/*.sql</c>), or a Python revision in the declarative form the tool writes.</summary>
    public static MigrationFile Read(string path) =>
        path.EndsWith(".py", StringComparison.Ordinal) ? ReadPython(path) : ReadSql(path);

    private static MigrationFile ReadSql(string path)
    {
        var text = File.ReadAllText(path);
        string Header(string name) =>
            text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith($"-- {name}:", StringComparison.Ordinal))?[(name.Length + 4)..].Trim()
            ?? throw new InvalidDataException($"{path} has no '-- {name}:' line");
        var parts = text.Split("-- downgrade:", 2);
        var down = Header("down_revision");
        return new MigrationFile(Header("revision"), down == "none" ? null : down, [new(parts[0])], parts.Length > 1 ? [new(parts[1])] : []);
    }

    /// <summary>
    /// The stand-in cannot run Python. It reads the revision's statement lists (UPGRADE, UPGRADE_CONCURRENTLY,
    /// DOWNGRADE_CONCURRENTLY, DOWNGRADE) and runs them in the order the file's own upgrade() and downgrade() do; a .py
    /// without them is an error, as a revision real Alembic could not import would be.
    /// </summary>
    private static MigrationFile ReadPython(string path)
    {
        var text = File.ReadAllText(path);
        var revision = Literal(RevisionLine().Match(text), path, "revision = \"…\"");
        var down = DownRevisionLine().Match(text);
        List<MigrationStatement> List(string name, bool autocommit)
        {
            var match = Regex.Match(text, $@"^{name} = \[\n(?<items>.*?)^\]", RegexOptions.Multiline | RegexOptions.Singleline);
            if (!match.Success)
            {
                throw new InvalidDataException($"{path} has no {name} = [ … ] list (the stand-in runs only revisions in the tool's declarative form)");
            }

            return match.Groups["items"].Value.Split('\n').Select(line => line.Trim().TrimEnd(',')).Where(line => line.Length > 0)
                .Select(line => new MigrationStatement(JsonSerializer.Deserialize<string>(line)!, autocommit)).ToList();
        }

        return new MigrationFile(revision, down.Success && down.Groups["value"].Value != "None" ? JsonSerializer.Deserialize<string>(down.Groups["value"].Value) : null,
            [.. List("UPGRADE", false), .. List("UPGRADE_CONCURRENTLY", true)],
            [.. List("DOWNGRADE_CONCURRENTLY", true), .. List("DOWNGRADE", false)]);
    }

    private static string Literal(Match match, string path, string what) =>
        match.Success ? JsonSerializer.Deserialize<string>(match.Groups["value"].Value)! : throw new InvalidDataException($"{path} has no {what} line");

    [GeneratedRegex("^revision = (?<value>\".*\")\\s*$", RegexOptions.Multiline)]
    private static partial Regex RevisionLine();

    [GeneratedRegex("^down_revision = (?<value>None|\".*\")\\s*$", RegexOptions.Multiline)]
    private static partial Regex DownRevisionLine();
}
