namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// The world a scenario must leave, compared with the world before it (or before an earlier scenario, for a rollback
/// that must bring that one back): facts that must now read a given way, facts allowed to move (a migration changes
/// table checksums), and everything else exactly as before.
/// </summary>
public sealed record WorldExpectation(string Description)
{
    /// <summary>Facts whose new value must contain the text (null: the fact must be gone).</summary>
    public IReadOnlyList<(string Key, string? Contains)> Must { get; init; } = [];

    /// <summary>Key prefixes whose facts may differ (what the procedure changes beyond its headline).</summary>
    public IReadOnlyList<string> MayChange { get; init; } = [];

    /// <summary>Compare with the world before this scenario instead of the one just before.</summary>
    public string? Baseline { get; init; }

    public static WorldExpectation AsBefore { get; } = new("as before");

    /// <summary>A rollback: the world as it was before <paramref name="scenario"/> ran.</summary>
    public static WorldExpectation AsBeforeScenario(string scenario) => new($"as before '{scenario}'") { Baseline = scenario };

    public static WorldExpectation Changed(string description, params (string Key, string? Contains)[] must) => new(description) { Must = must };

    public WorldExpectation AllowingChangesTo(params string[] prefixes) => this with { MayChange = [.. MayChange, .. prefixes] };

    /// <summary>Null when the world is as expected, else what differed (one clause per fact, at most a few).</summary>
    public IReadOnlyList<string> Problems(WorldSnapshot before, WorldSnapshot after)
    {
        var problems = new List<string>();
        foreach (var (key, contains) in Must)
        {
            var value = after.Facts.GetValueOrDefault(key);
            if (contains is null ? value is not null : value is null || !value.Contains(contains, StringComparison.Ordinal))
            {
                problems.Add($"{key} is {value ?? "(absent)"}, expected {(contains is null ? "(absent)" : "… " + contains + " …")}");
            }
        }

        var judged = Must.Select(must => must.Key).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(before.Differences(after)
            .Select(line => (Key: line[..line.IndexOf(": ", StringComparison.Ordinal)], Line: line))
            .Where(difference => !judged.Contains(difference.Key) && !MayChange.Any(prefix => difference.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(difference => difference.Line));
        return problems;
    }
}
