namespace TwisterLab.Cake.Data;

/// <summary>Single → multi-tenant options (the guide's "Migrate from Single Tenant to Multi-Tenant").</summary>
public sealed record TenantMigrationOptions
{
    /// <summary>Tenant every existing row belongs to (the guide's 'default').</summary>
    public string DefaultTenant { get; init; } = "default";

    /// <summary>Only these tables (null: every table in <see cref="Schema"/>).</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Tables never given a tenant: alembic's own bookkeeping by default.</summary>
    public IReadOnlyList<string> ExcludeTables { get; init; } = ["alembic_version"];

    public string Schema { get; init; } = "public";

    /// <summary>How long one ALTER may wait for its lock before giving up and retrying (it blocks every later query while it waits).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public int MaxAttempts { get; init; } = 5;

    /// <summary>Folder (alembic/versions) to write the matching alembic revision into; null writes none.</summary>
    public string? AlembicVersionsDirectory { get; init; }
}

/// <summary>What was added to one table; exactly what the undo removes.</summary>
public sealed record TenantTableChange(string Table, bool AddedColumn, string? AddedIndex);

/// <summary>The result and the undo description of a tenant migration.</summary>
public sealed record TenantMigrationResult(IReadOnlyList<TenantTableChange> Changes, string? AlembicFile, string? AlembicRevision)
{
    public string UndoDescription => Changes.Count == 0 ? "nothing to undo"
        : $"drop tenant_id and its index from {string.Join(", ", Changes.Where(c => c.AddedColumn || c.AddedIndex is not null).Select(c => c.Table))}";
}
