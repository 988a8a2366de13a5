namespace TwisterLab.Cake.Data;

/// <summary>One thing the import spent wall time on: a phase ("publish", "copy sqlite file") or a job of a table ("load tickets").</summary>
public sealed record ImportPhase(string Name, double Seconds);

/// <summary>
/// Where an import's time went, slowest first, as a small value a report can hold: jobs ran in parallel, so they add
/// up to more than <see cref="TotalSeconds"/>.
/// </summary>
public sealed record ImportTimings(double TotalSeconds, IReadOnlyList<ImportPhase> Phases)
{
    public static ImportTimings Of(SqliteMigrationReport report) =>
        new(report.Duration.TotalSeconds, report.PhaseSeconds.Select(p => new ImportPhase(p.Key, p.Value)).OrderByDescending(p => p.Seconds).ThenBy(p => p.Name, StringComparer.Ordinal).ToList());

    /// <summary>One line: "24.3 s: load events 11.7 s, load tickets 9.7 s, …".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{TotalSeconds:F1} s: {string.Join(", ", Phases.Select(p => FormattableString.Invariant($"{p.Name} {p.Seconds:F1} s")))}");
}
