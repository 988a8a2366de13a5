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
            text.AppendLine($"| {++number} | {step.Name} | {step.Status} | {step.Duration.TotalSeconds:0.000} s | {Cell(step.Detail)} |");
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

        text.AppendLine("| # | recorded by | undo | status |").AppendLine("|---|---|---|---|");
        foreach (var entry in report.Compensations)
        {
            var status = entry.Error is null ? entry.Status.ToString() : $"{entry.Status}: {entry.Error}";
            text.AppendLine($"| {entry.Sequence} | {entry.Step} | `{Cell(entry.Description)}` | {Cell(status)} |");
        }
    }

    // Mermaid's gantt takes absolute milliseconds with dateFormat x, so every bar sits where the step ran.
    private static void AppendTimeline(StringBuilder text, RunReport report)
    {
        text.AppendLine().AppendLine("## Timeline").AppendLine();
        text.AppendLine("```mermaid").AppendLine("gantt");
        text.AppendLine($"    title {report.Target} ({report.RunId})");
        text.AppendLine("    dateFormat x").AppendLine("    axisFormat %M:%S").AppendLine("    section Steps");
        var number = 0;
        foreach (var step in report.Steps)
        {
            var start = step.Started.ToUnixTimeMilliseconds();
            var end = start + Math.Max(1, (long)step.Duration.TotalMilliseconds);
            var tag = step.Status switch { StepStatus.Failed => "crit, ", StepStatus.Skipped => "", _ => "done, " };
            text.AppendLine($"    {step.Name.Replace(":", " ")} :{tag}s{++number}, {start}, {end}");
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

    private static string Cell(string? value) => (value ?? string.Empty).Replace("|", "\\|").ReplaceLineEndings(" ");
}
