using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.SqliteMigration;

/// <summary>DATABASE_URL becomes the guide's postgresql+asyncpg URL of the postgres Service, with the credentials of --database-url.</summary>
[TaskDescription("Guide step 4: kubectl patch secret twisterlab-secrets -p '{\"data\":{\"DATABASE_URL\":\"<postgresql+asyncpg://user:pass@postgres:5432/twisterlab>\"}}' (undo: the previous value, then a restart).")]
public sealed class PointSecretAtPostgres : PatchDatabaseUrl, INeedDirectDatabase
{
    protected override string? NewValue(DeployContext context, string current)
    {
        var database = context.Database;
        var password = database.Password is null ? string.Empty : ":" + Uri.EscapeDataString(database.Password);
        return $"postgresql+asyncpg://{Uri.EscapeDataString(database.Username)}{password}@{context.Settings.Profile.PostgresDeployment}:5432/{database.Database}";
    }

    protected override string Describe(DeployContext context) => $"postgresql+asyncpg://...@{context.Settings.Profile.PostgresDeployment}:5432/{context.Settings.Profile.DatabaseName}";
}
