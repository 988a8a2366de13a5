using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// report.json v1 against the schema the tool ships (schemas/report.v1.schema.json), on reports real runs wrote in
/// one rehearsal world: a plan, a run rolled back, a run that succeeded and a run held. Beside the schema, the facts
/// a pipeline reads: durations as numbers, each step's detail, the undos' timings, the gantt's rollback section, and
/// log.txt stamped line by line.
/// </summary>
public sealed partial class ReportSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "schemas", "report.v1.schema.json"));

    [Fact]
    public async Task Plans_rollbacks_successes_and_holds_write_reports_the_schema_accepts()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--dryrun"));
        var plan = Read(Directory.GetDirectories(Path.Combine(rehearsal.WorkingDirectory, ".twisterlab", "plans")).Single());
        rehearsal.RunExpecting(ExitCodes.Failed, "RollingUpgrade", "--image-tag=v2.0", "--migrations-reversible", "--inject-failure=VerifyHealth");
        var rolledBack = rehearsal.LatestReport();
        var rolledBackFolder = rehearsal.LatestRunFolder();
        rehearsal.RunExpecting(ExitCodes.Success, "RollingUpgrade", "--image-tag=v2.0");
        var succeeded = rehearsal.LatestReport();
        var log = rehearsal.LatestLog();
        rehearsal.RunExpecting(ExitCodes.Held, "RollingUpgrade", "--image-tag=v2.1", "--inject-failure=WaitForRollout");
        var held = rehearsal.LatestReport();

        foreach (var (report, outcome) in new[] { (plan, "planned"), (rolledBack, "rolledBack"), (succeeded, "succeeded"), (held, "held") })
        {
            var result = Schema.Evaluate(report, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            Assert.True(result.IsValid, $"{outcome}: {Problems(result)}");
            Assert.Equal(outcome, report.GetProperty("outcome").GetString());
            Assert.Equal(1, report.GetProperty("schemaVersion").GetInt32());
        }

        var steps = succeeded.GetProperty("steps").EnumerateArray().ToDictionary(step => step.GetProperty("name").GetString()!);
        var backup = steps["BackupDatabase"].GetProperty("detail").GetProperty("backup");
        Assert.Matches("^[0-9a-f]{64}$", backup.GetProperty("sha256").GetString());
        // A direct backup says where its time went, in the order the phases ran.
        Assert.Equal("direct", backup.GetProperty("via").GetString());
        Assert.Equal(["connect, snapshot", "pg_dump, hashed as written", "sha256 of what was left", "catalog, row counts, versions: left to wait for", "manifest"],
            backup.GetProperty("phases").EnumerateArray().Select(phase => phase.GetProperty("name").GetString()));
        Assert.Equal("twisterlab-api:v2.0", steps["SetImage"].GetProperty("detail").GetProperty("image").GetProperty("after").GetString());
        Assert.Equal("0002_ticket_priority", steps["ApplyMigrations"].GetProperty("detail").GetProperty("schemaRevision").GetProperty("after").GetString());
        Assert.NotEqual(0, steps["MonitorHealth"].GetProperty("detail").GetProperty("monitorSamples").GetArrayLength());

        var undos = rolledBack.GetProperty("compensations").EnumerateArray().ToList();
        Assert.NotEmpty(undos);
        Assert.All(undos, undo => Assert.Equal(JsonValueKind.Number, undo.GetProperty("undoSeconds").ValueKind));
        var gantt = File.ReadAllText(Path.Combine(rolledBackFolder, "report.md"));
        Assert.Contains("axisFormat %H:%M:%S", gantt);
        Assert.Contains("section Rollback", gantt);

        Assert.All(log, line => Assert.Matches(Stamped(), line));
    }

    private static JsonElement Read(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement;

    private static string Problems(EvaluationResults result) => string.Join("; ", (result.Details ?? [])
        .Where(detail => detail.Errors is { Count: > 0 })
        .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Value}")));

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \w+: ")]
    private static partial Regex Stamped();
}
