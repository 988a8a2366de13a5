using System.Text.Encodings.Web;
using System.Text.Json;

namespace TwisterLab.Cake.Data;

/// <summary>
/// The Alembic revision of the guide's steps 1–2 ("Create Alembic migration", "Update migration file"), named
/// <see cref="Revision"/>, in the fast form: <c>ADD COLUMN … NOT NULL DEFAULT</c> (catalog-only on PostgreSQL 11+) and
/// <c>CREATE INDEX CONCURRENTLY</c> in an autocommit block, with a real downgrade. Its statements are data (lists the
/// functions run) and idempotent (IF [NOT] EXISTS): on the database the tool already migrated, <c>alembic upgrade</c>
/// only records the revision; on any other database (a fresh environment) it does the work.
/// </summary>
public static class AlembicTenantRevision
{
    /// <summary>A fixed, readable revision id: the next migration the application writes names it as its down_revision.</summary>
    public const string Revision = "add_tenant_support";

    public const string FileName = Revision + ".py";

    private static readonly JsonSerializerOptions PythonString = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <see cref="FileName"/> into <paramref name="folder"/> and returns its path.</summary>
    public static string Write(string folder, string? downRevision, string schema, IReadOnlyList<string> tables, string defaultTenant, TimeSpan lockTimeout)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, Render(downRevision, schema, tables, defaultTenant, lockTimeout));
        return path;
    }

    /// <param name="downRevision">The database's revision before it (null: none); a database at several heads must be merged first.</param>
    public static string Render(string? downRevision, string schema, IReadOnlyList<string> tables, string defaultTenant, TimeSpan lockTimeout)
    {
        if (downRevision?.Contains(',') == true)
        {
            throw new DataOperationException($"The database is at several Alembic heads ({downRevision}): merge them first (alembic merge heads), then run the tenant migration.");
        }

        string Table(string table) => $"{Sql.Quote(schema)}.{Sql.Quote(table)}";
        var lockLimit = $"SET LOCAL lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms'";
        var upgrade = tables.Select(t => $"ALTER TABLE {Table(t)} ADD COLUMN IF NOT EXISTS {TenantMigrator.Column} varchar(50) NOT NULL DEFAULT {Sql.Literal(defaultTenant)}");
        var upgradeConcurrently = tables.Select(t => $"CREATE INDEX CONCURRENTLY IF NOT EXISTS {Sql.Quote(TenantMigrator.IndexName(t))} ON {Table(t)} ({TenantMigrator.Column})");
        var downgradeConcurrently = tables.Select(t => $"DROP INDEX CONCURRENTLY IF EXISTS {Sql.Quote(schema)}.{Sql.Quote(TenantMigrator.IndexName(t))}");
        var downgrade = tables.Select(t => $"ALTER TABLE {Table(t)} DROP COLUMN IF EXISTS {TenantMigrator.Column}");
        return $$""""
            """add tenant support: tenant_id on every table

            Revision ID: {{Revision}}
            Revises: {{downRevision ?? "<base>"}}

            Written by TwisterLab.Cake's MigrateToMultiTenant (the guide's "Migrate from Single Tenant to Multi-Tenant",
            steps 1-2). Commit this file to the application's alembic/versions and make the next migration revise it
            (down_revision = "{{Revision}}"): every image deployed after the tenant migration must carry it, or
            alembic cannot locate the database's revision.

            Instead of the guide's nullable column + UPDATE + SET NOT NULL (a rewrite and a long ACCESS EXCLUSIVE lock per
            table): ADD COLUMN ... NOT NULL DEFAULT, a catalog-only change on PostgreSQL 11+, under a short lock_timeout;
            indexes built CONCURRENTLY (no write lock), which cannot run inside the migration's transaction. Each
            statement is idempotent, so this also only records the revision where the columns exist already.
            """
            from alembic import op

            revision = {{Python(Revision)}}
            down_revision = {{(downRevision is null ? "None" : Python(downRevision))}}
            branch_labels = None
            depends_on = None

            UPGRADE = [
            {{Items([lockLimit, .. upgrade])}}]
            UPGRADE_CONCURRENTLY = [
            {{Items(upgradeConcurrently)}}]
            DOWNGRADE_CONCURRENTLY = [
            {{Items(downgradeConcurrently)}}]
            DOWNGRADE = [
            {{Items([lockLimit, .. downgrade])}}]


            def _run(statements):
                # Driver SQL passed with no parameters at all: neither SQLAlchemy's ':name' binds nor psycopg2's '%'
                # formatting reads a table name or the default tenant.
                bind = op.get_bind().execution_options(no_parameters=True)
                for statement in statements:
                    bind.exec_driver_sql(statement)


            def upgrade():
                _run(UPGRADE)
                with op.get_context().autocommit_block():
                    _run(UPGRADE_CONCURRENTLY)


            def downgrade():
                with op.get_context().autocommit_block():
                    _run(DOWNGRADE_CONCURRENTLY)
                _run(DOWNGRADE)

            """";
    }

    private static string Items(IEnumerable<string> statements) =>
        string.Concat(statements.Select(statement => $"    {Python(statement)},\n"));

    // A JSON string literal is a Python one too (same quotes and escapes), and the stand-in alembic reads it back as JSON.
    private static string Python(string text) => JsonSerializer.Serialize(text, PythonString);
}
