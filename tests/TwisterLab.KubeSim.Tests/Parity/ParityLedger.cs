using Xunit.Abstractions;

namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>What one parity case showed: whether the simulator answered as a v1.32 API server would, and why not.</summary>
public sealed record ParityOutcome(string Client, string Case, bool AsV132, string Detail);

/// <summary>
/// The tally of the parity suite and its one list of known differences. A case that does not behave as v1.32 must be
/// listed here (so the tally stays honest and nothing is skipped silently); a listed case that now behaves as v1.32
/// fails the suite too, so the list shrinks as the simulator is fixed.
/// </summary>
public static class ParityLedger
{
    /// <summary>"client/case" pairs that still differ from a v1.32 API server, with the reason in sim/README.md.</summary>
    public static readonly IReadOnlySet<string> KnownDifferences = new HashSet<string>
    {
    };

    public static void Report(string client, IReadOnlyList<ParityOutcome> outcomes, ITestOutputHelper output)
    {
        var asV132 = outcomes.Count(o => o.AsV132);
        var percent = outcomes.Count == 0 ? 0 : 100.0 * asV132 / outcomes.Count;
        var lines = new List<string> { $"parity {client}: {asV132}/{outcomes.Count} cases behave as v1.32 ({percent:0.0} %)" };
        foreach (var o in outcomes)
            lines.Add($"  {(o.AsV132 ? "same" : "DIFF")} {o.Case}{(o.AsV132 ? "" : ": " + o.Detail)}");
        foreach (var line in lines)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }
        WriteTallyFile(client, asV132, outcomes.Count);

        var names = outcomes.Select(o => $"{client}/{o.Case}").ToHashSet();
        var regressions = outcomes.Where(o => !o.AsV132 && !KnownDifferences.Contains($"{client}/{o.Case}")).ToList();
        var fixedNow = outcomes.Where(o => o.AsV132 && KnownDifferences.Contains($"{client}/{o.Case}")).ToList();
        var unknownEntries = KnownDifferences.Where(k => k.StartsWith(client + "/") && !names.Contains(k)).ToList();
        var problems = new List<string>();
        problems.AddRange(regressions.Select(o => $"{o.Case} differs from v1.32 and is not a known difference: {o.Detail}"));
        problems.AddRange(fixedNow.Select(o => $"{o.Case} now behaves as v1.32: remove it from ParityLedger.KnownDifferences"));
        problems.AddRange(unknownEntries.Select(k => $"{k} is listed as a known difference but is no case"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The tally also goes to a file, so sim/README.md and CI can quote the measured numbers.</summary>
    static void WriteTallyFile(string client, int same, int total)
    {
        var folder = Path.Combine(Path.GetTempPath(), "kubesim-parity");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, client + ".tally"), $"{client} {same}/{total}\n");
    }
}
