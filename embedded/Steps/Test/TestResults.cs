using System.Xml.Linq;

namespace TwisterLab.Cake.Steps.Test;

/// <summary>
/// What the test run's TRX files say, per test project: counts, the failures with their message and the test line that
/// failed, and the slowest tests. dotnet test on a solution runs the projects side by side and interleaves their output, so a CI
/// log's tail shows only the last project to finish; this summary is printed last and names what failed wherever it was.
/// </summary>
public sealed record TestResults(IReadOnlyList<TestResults.Project> Projects)
{
    public sealed record Project(string Name, int Total, int Passed, int Failed, int Skipped, TimeSpan Duration, IReadOnlyList<Case> Failures, IReadOnlyList<Case> Slowest);

    /// <param name="Message">The failure's message, whole when short; see <see cref="Shorten"/>.</param>
    /// <param name="Where">The file and line where it failed ("SandboxTests.cs:line 36"): for a failed assert, which one.</param>
    public sealed record Case(string Name, TimeSpan Duration, string? Message, string? Where = null);

    private const int MessageLines = 12;

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
        var error = result.Element(Trx + "Output")?.Element(Trx + "ErrorInfo");
        var duration = TimeSpan.TryParse((string?)result.Attribute("duration"), out var parsed) ? parsed : TimeSpan.Zero;
        var failure = new Case((string?)result.Attribute("testName") ?? "?", duration, Shorten(error?.Element(Trx + "Message")?.Value), Where(error?.Element(Trx + "StackTrace")?.Value));
        return ((string?)result.Attribute("outcome") ?? "", failure);
    }

    /// <summary>
    /// A CI log shows only its tail, so the summary carries what explains a failure: "Expected: 0 / Actual: 1" below an
    /// assert's first line, and of a long message (a process's output handed to an assert) its first line and its last
    /// ones, where a failed run says why.
    /// </summary>
    private static string? Shorten(string? message)
    {
        var lines = message?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        return lines.Length switch
        {
            0 => null,
            <= MessageLines => string.Join("\n", lines),
            _ => string.Join("\n", [lines[0], $"… {lines.Length - MessageLines} lines …", .. lines[^(MessageLines - 1)..]]),
        };
    }

    /// <summary>
    /// The first frame with a source line ("at X() in /path/SandboxTests.cs:line 36"): for a failed assert the test's own
    /// (xunit leaves its frames out), for an exception the line that threw it.
    /// </summary>
    private static string? Where(string? stackTrace) =>
        stackTrace?.Split('\n').Select(frame => frame.Trim()).FirstOrDefault(frame => frame.Contains(".cs:line ", StringComparison.Ordinal)) is { } frame
            ? Path.GetFileName(frame[(frame.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..])
            : null;

    // The test assembly's file name ("TwisterLab.Cake.Tests.dll") names the project; codeBase keeps its case, storage is
    // lower-cased by the TRX logger.
    private static string? ProjectName(XElement run) =>
        run.Descendants(Trx + "TestMethod").Select(t => (string?)t.Attribute("codeBase")).FirstOrDefault(s => s is not null) is { } codeBase
            ? Path.GetFileNameWithoutExtension(codeBase)
            : null;
}
