namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// The revisions of the stand-in alembic's version locations, linked by down_revision as Alembic links them: heads are
/// the revisions nothing revises; a path runs along down_revision. Branches can be read (two heads) but not walked:
/// <c>upgrade head</c> with two heads fails as Alembic's does, and an upgrade from a sibling branch is refused.
/// </summary>
public sealed class MigrationHistory
{
    private readonly Dictionary<string, MigrationFile> _byRevision;

    private MigrationHistory(Dictionary<string, MigrationFile> byRevision)
    {
        _byRevision = byRevision;
        Heads = byRevision.Keys.Where(revision => byRevision.Values.All(other => other.DownRevision != revision)).Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Heads { get; }

    /// <summary>Every *.sql and *.py of the folders that exist; a revision defined twice is an error, as in Alembic.</summary>
    public static MigrationHistory Read(IEnumerable<string?> locations)
    {
        var byRevision = new Dictionary<string, MigrationFile>(StringComparer.Ordinal);
        foreach (var folder in locations.OfType<string>().Where(Directory.Exists))
        {
            foreach (var file in Directory.GetFiles(folder).Where(path => path.EndsWith(".sql", StringComparison.Ordinal) || path.EndsWith(".py", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var migration = MigrationFile.Read(file);
                if (!byRevision.TryAdd(migration.Revision, migration))
                {
                    throw new InvalidOperationException($"Revision {migration.Revision} is present more than once");
                }
            }
        }

        return new MigrationHistory(byRevision);
    }

    public bool Knows(string revision) => _byRevision.ContainsKey(revision);

    public bool IsHead(string revision) => Heads.Contains(revision);

    /// <summary>Newest first, as <c>alembic history</c> prints: by distance from the base, then by name.</summary>
    public IEnumerable<MigrationFile> NewestFirst =>
        _byRevision.Values.OrderByDescending(migration => Down(migration.Revision, null)?.Count ?? 0).ThenBy(migration => migration.Revision, StringComparer.Ordinal);

    public string SingleHead() => Heads.Count switch
    {
        0 => throw new InvalidOperationException("No head revision: the image has no migrations"),
        1 => Heads[0],
        _ => throw new InvalidOperationException($"Multiple head revisions are present for given argument 'head' ({string.Join(", ", Heads)}); please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads"),
    };

    /// <summary>The migrations from just after <paramref name="current"/> up to <paramref name="target"/>, oldest first.</summary>
    public IReadOnlyList<MigrationFile> UpgradePath(string? current, string target)
    {
        Locate(target);
        var down = Down(target, current) ?? throw new InvalidOperationException($"Destination {target} is not a valid upgrade target from current head(s) {current ?? "<base>"}");
        return Enumerable.Reverse(down).ToList();
    }

    /// <summary>The migrations from <paramref name="current"/> down to just above <paramref name="target"/> (null: base), newest first.</summary>
    public IReadOnlyList<MigrationFile> DowngradePath(string? current, string? target)
    {
        if (target is not null)
        {
            Locate(target);
        }

        return current is null
            ? (target is null ? [] : throw new InvalidOperationException($"Destination {target} is not a valid downgrade target from current head(s) <base>"))
            : Down(current, target) ?? throw new InvalidOperationException($"Destination {target ?? "base"} is not a valid downgrade target from current head(s) {current}");
    }

    /// <summary>The migrations from <paramref name="from"/> down along down_revision until <paramref name="until"/> (excluded); null when it is never reached.</summary>
    private List<MigrationFile>? Down(string from, string? until)
    {
        var path = new List<MigrationFile>();
        for (var revision = from; revision != until; revision = path[^1].DownRevision)
        {
            if (revision is null)
            {
                return null;
            }

            path.Add(Locate(revision));
        }

        return path;
    }

    private MigrationFile Locate(string revision) =>
        _byRevision.TryGetValue(revision, out var migration) ? migration : throw new InvalidOperationException($"Can't locate revision identified by '{revision}'");
}
