using Cake.Core;
using Cake.Core.IO;

namespace TwisterLab.Cake.Tools;

/// <summary>Argument pieces shared by pg_dump, pg_restore and psql.</summary>
internal static class PgArguments
{
    public static void AppendConnection(this ProcessArgumentBuilder builder, PgToolSettings settings, bool databaseAsOption = true)
    {
        if (!string.IsNullOrEmpty(settings.Host)) builder.AppendSwitchQuoted("--host", "=", settings.Host);
        if (settings.Port is { } port) builder.AppendSwitch("--port", "=", port.ToString());
        if (!string.IsNullOrEmpty(settings.Username)) builder.AppendSwitchQuoted("--username", "=", settings.Username);
        // Never prompt: a missing or wrong PGPASSWORD must fail, not hang a pipeline waiting on a terminal.
        builder.Append("--no-password");
        if (databaseAsOption && !string.IsNullOrEmpty(settings.Database)) builder.AppendSwitchQuoted("--dbname", "=", settings.Database);
    }

    public static void AppendJobs(this ProcessArgumentBuilder builder, int? jobs)
    {
        if (jobs is > 1) builder.AppendSwitch("--jobs", "=", jobs.Value.ToString());
    }
}
