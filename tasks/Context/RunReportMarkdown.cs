using System.Text;

namespace TwisterLab.Cake.Context;

internal static class RunReportMarkdown
{
    public static string Render(RunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {report.Target} — {report.Outcome} (exit {report.ExitCode})");
        text.AppendLine();
        text.AppendLine($"Run `{report.RunId}`, environment `{report.Environment}`, namespace `{report.Namespace}`, " +
                        $"{report.Started:u} → {report.Finished:u}.");
        text.AppendLine().AppendLine(report.Cluster is { Server: not null } cluster
            ? $"Cluster: `{cluster.Server}`{(cluster.Context is null ? "" : $", context `{cluster.Context}`")}, cluster id (kube-system UID) `{cluster.ClusterId ?? "not read"}`."
            : "Cluster: none reached.");
        if (report.Error is not null)
        {
            text.AppendLine().AppendLine($"**Error:** {report.Error}");
        }

        foreach (var note in report.Notes)
        {
            text.AppendLine().AppendLine($"> {note}");
        }

        AppendSteps(text, report);
        AppendCompensations(text, report);
        AppendTimeline(text, report);
        AppendArguments(text, report);
        return text.ToString();
    }

    private static void AppendSteps(StringBuilder text, RunReport report)
    {
        text.AppendLine().AppendLine("## Steps").AppendLine();
        text.AppendLine("| # | step | status | duration | detail |").AppendLine("|---|---|---|---|---|");
        var number = 0;
        foreach (var step in report.Steps)
        {
            text.AppendLine($"| {++number} | {step.Name} | {step.Status} | {step.Duration.TotalSeconds:0.000} s | {Cell(step.Error ?? Facts(step.Detail))} |");
        }
    }

    private static void AppendCompensations(StringBuilder text, RunReport report)
    {
        text.AppendLine().AppendLine("## Compensations").AppendLine();
        if (report.Compensations.Count == 0)
        {
            text.AppendLine("None recorded.");
            return;
        }

        text.AppendLine("| # | recorded by | undo | status | undo took |").AppendLine("|---|---|---|---|---|");
        foreach (var entry in report.Compensations)
        {
            var status = entry.Error is null ? entry.Status.ToString() : $"{entry.Status}: {entry.Error}";
            var took = entry.UndoSeconds is { } seconds ? $"{seconds:0.000} s" : "";
            text.AppendLine($"| {entry.Sequence} | {entry.Step} | `{Cell(entry.Description)}` | {Cell(status)} | {took} |");
        }
    }

    // Mermaid's gantt takes absolute milliseconds with dateFormat x, so every bar sits where the step ran, and the undos
    // of a rollback sit after the failed step on the same clock; the axis reads the hour of day (UTC).
    private static void AppendTimeline(StringBuilder text, RunReport report)
    {
        text.AppendLine().AppendLine("## Timeline").AppendLine();
        text.AppendLine("```mermaid").AppendLine("gantt");
        text.AppendLine($"    title {report.Target} ({report.RunId})");
        text.AppendLine("    dateFormat x").AppendLine("    axisFormat %H:%M:%S").AppendLine("    section Steps");
        var number = 0;
        foreach (var step in report.Steps)
        {
            var start = step.Started.ToUnixTimeMilliseconds();
            var end = start + Math.Max(1, (long)step.Duration.TotalMilliseconds);
            var tag = step.Status switch { StepStatus.Failed => "crit, ", StepStatus.Skipped => "", _ => "done, " };
            text.AppendLine($"    {step.Name.Replace(":", " ")} :{tag}s{++number}, {start}, {end}");
        }

        var undone = report.Compensations.Where(entry => entry is { UndoStartedAt: not null, FinishedAt: not null }).OrderBy(entry => entry.UndoStartedAt).ToList();
        if (undone.Count > 0)
        {
            text.AppendLine("    section Rollback");
            foreach (var entry in undone)
            {
                var start = entry.UndoStartedAt!.Value.ToUnixTimeMilliseconds();
                var end = Math.Max(start + 1, entry.FinishedAt!.Value.ToUnixTimeMilliseconds());
                var tag = entry.Status == CompensationStatus.Failed ? "crit, " : "active, ";
                text.AppendLine($"    undo #{entry.Sequence} {entry.Step.Replace(":", " ")} :{tag}u{entry.Sequence}, {start}, {end}");
            }
        }

        text.AppendLine("```");
    }

    private static void AppendArguments(StringBuilder text, RunReport report)
    {
        text.AppendLine().AppendLine("## Arguments").AppendLine();
        foreach (var (name, value) in report.Arguments)
        {
            text.AppendLine(value.Length == 0 ? $"- `--{name}`" : $"- `--{name}={value}`");
        }
    }

    // "file=backups/x.dump, sizeBytes=1234, ..., monitorSamples=[3]": scalars as they are, lists by their length.
    private static string Facts(System.Text.Json.Nodes.JsonObject? facts) => facts is null ? string.Empty
        : string.Join(", ", facts.Select(fact => fact.Value switch
        {
            System.Text.Json.Nodes.JsonArray list => $"{fact.Key}=[{list.Count}]",
            System.Text.Json.Nodes.JsonObject inner => $"{fact.Key}={{{Facts(inner)}}}",
            null => $"{fact.Key}=null",
            var value => $"{fact.Key}={value.ToJsonString().Trim('"')}",
        }));

    private static string Cell(string? value) => (value ?? string.Empty).Replace("|", "\\|").ReplaceLineEndings(" ");
}
