using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>DATABASE_URL's host becomes the new server's Service; user, password, driver and database stay.</summary>
[TaskDescription("Guide step 4: kubectl patch secret twisterlab-secrets -p '{\"data\":{\"DATABASE_URL\":\"<...@postgres-16:5432/twisterlab>\"}}' (undo: the previous value, then a restart).")]
public sealed class PointSecretAtNewPostgres : PatchDatabaseUrl
{
    protected override string? NewValue(DeployContext context, string current) => NewPostgres.PointAt(current, NewPostgres.Name(context));

    protected override string Describe(DeployContext context) => $"host -> {NewPostgres.Name(context)}";
}
