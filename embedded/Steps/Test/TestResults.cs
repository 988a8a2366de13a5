using System.Xml.Linq;

namespace TwisterLab.Cake.Steps.Test;

/// <summary>
/// What the test run's TRX files say, per test project: counts, the failures with the first line of their message, and
/// the slowest tests. dotnet test on a solution runs the projects side by side and interleaves their output, so a CI
/// log's tail shows only the last project to finish; this summary is printed last and names what failed wherever it was.
/// </summary>
public sealed record TestResults(IReadOnlyList<TestResults.Project> Projects)
{
    public sealed record Project(string Name, int Total, int Passed, int Failed, int Skipped, TimeSpan Duration, IReadOnlyList<Case> Failures, IReadOnlyList<Case> Slowest);

    public sealed record Case(string Name, TimeSpan Duration, string? Message);

    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public bool AnyFailed => Projects.Any(p => p.Failed > 0);

    public static TestResults Read(string directory, int slowest = 5) =>
        new(Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.trx").Order(StringComparer.Ordinal).Select(file => ReadProject(file, slowest)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList()
            : []);

    private static Project ReadProject(string file, int slowest)
    {
        var run = XDocument.Load(file).Root!;
        var results = run.Descendants(Trx + "UnitTestResult").Select(Result).ToList();
        var failures = results.Where(r => r.Outcome == "Failed").Select(r => r.Case).ToList();
        var times = run.Element(Trx + "Times");
        var duration = times is null ? TimeSpan.Zero : DateTimeOffset.Parse((string)times.Attribute("finish")!) - DateTimeOffset.Parse((string)times.Attribute("start")!);
        return new Project(
            ProjectName(run) ?? Path.GetFileNameWithoutExtension(file),
            results.Count,
            results.Count(r => r.Outcome == "Passed"),
            failures.Count,
            results.Count(r => r.Outcome == "NotExecuted"),
            duration,
            failures,
            results.Select(r => r.Case).OrderByDescending(c => c.Duration).Take(slowest).ToList());
    }

    private static (string Outcome, Case Case) Result(XElement result)
    {
        var message = result.Element(Trx + "Output")?.Element(Trx + "ErrorInfo")?.Element(Trx + "Message")?.Value;
        var firstLine = message?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var duration = TimeSpan.TryParse((string?)result.Attribute("duration"), out var parsed) ? parsed : TimeSpan.Zero;
        return ((string?)result.Attribute("outcome") ?? "", new Case((string?)result.Attribute("testName") ?? "?", duration, firstLine));
    }

    // The test assembly's file name ("TwisterLab.Cake.Tests.dll") names the project; codeBase keeps its case, storage is
    // lower-cased by the TRX logger.
    private static string? ProjectName(XElement run) =>
        run.Descendants(Trx + "TestMethod").Select(t => (string?)t.Attribute("codeBase")).FirstOrDefault(s => s is not null) is { } codeBase
            ? Path.GetFileNameWithoutExtension(codeBase)
            : null;
}
