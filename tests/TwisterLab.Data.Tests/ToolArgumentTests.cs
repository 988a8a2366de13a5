using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Data.Tests;

public sealed class ToolArgumentTests
{
    private static readonly PostgresTarget Target = PostgresTarget.Parse("postgresql+asyncpg://twisterlab:s3cret@db.local:5433/twisterlab");

    [Fact]
    public void PgDump_custom_format_streams_to_stdout_and_keeps_the_password_off_the_command_line()
    {
        var settings = new PgDumpSettings { Compression = 1, Snapshot = "00000003-1" };
        settings.ConnectTo(Target);
        var arguments = PgDumpRunner.BuildArguments(settings);
        Assert.Equal("--format=custom --compress=1 --snapshot=\"00000003-1\" --host=\"db.local\" --port=5433 --username=\"twisterlab\" --no-password --dbname=\"twisterlab\"", arguments.Render());
        Assert.Equal("s3cret", settings.ToolEnvironment()["PGPASSWORD"]);
    }

    [Fact]
    public void PgDump_directory_format_runs_parallel_jobs_into_a_folder()
    {
        var settings = new PgDumpSettings { Format = PgDumpFormat.Directory, Jobs = 2, Compression = 1, OutputPath = "/backups/b1", NoOwner = true };
        settings.ConnectTo(Target);
        Assert.Equal("--format=directory --compress=1 --jobs=2 --no-owner --file=\"/backups/b1\" --host=\"db.local\" --port=5433 --username=\"twisterlab\" --no-password --dbname=\"twisterlab\"",
            PgDumpRunner.BuildArguments(settings).Render());
    }

    [Fact]
    public void PgDump_ignores_jobs_for_the_custom_format()
    {
        var settings = new PgDumpSettings { Jobs = 4 };
        Assert.DoesNotContain("--jobs", PgDumpRunner.BuildArguments(settings).Render());
    }

    [Fact]
    public void PgRestore_into_existing_database_cleans_and_runs_jobs()
    {
        var settings = new PgRestoreSettings { ArchivePath = "/b/x.dump", Jobs = 4, Clean = true, SingleTransaction = true };
        settings.ConnectTo(Target);
        Assert.Equal("--exit-on-error --no-owner --clean --if-exists --jobs=4 --host=\"db.local\" --port=5433 --username=\"twisterlab\" --no-password --dbname=\"twisterlab\" \"/b/x.dump\"",
            PgRestoreRunner.BuildArguments(settings).Render());
    }

    [Fact]
    public void PgRestore_single_job_restores_in_one_transaction()
    {
        var settings = new PgRestoreSettings { ArchivePath = "x.dump", SingleTransaction = true, Database = "d" };
        Assert.Equal("--exit-on-error --no-owner --single-transaction --no-password --dbname=\"d\" \"x.dump\"", PgRestoreRunner.BuildArguments(settings).Render());
    }

    [Fact]
    public void PgRestore_list_touches_no_database()
    {
        var settings = new PgRestoreSettings { ArchivePath = "x.dump", List = true };
        settings.ConnectTo(Target);
        Assert.Equal("--list \"x.dump\"", PgRestoreRunner.BuildArguments(settings).Render());
    }

    [Fact]
    public void Psql_stops_on_error_and_keeps_secret_variables_off_the_command_line()
    {
        var settings = new PsqlSettings { File = "export.sql" };
        settings.ConnectTo(Target);
        settings.Variables["tenant"] = "default";
        settings.SecretVariables["app_password"] = "hunter2";
        var arguments = PsqlRunner.BuildArguments(settings);
        Assert.Equal("--quiet --no-psqlrc --set=ON_ERROR_STOP=1 --single-transaction --set=\"tenant=default\" --command=\"\\getenv app_password TWISTERLAB_PSQL_app_password\" --host=\"db.local\" --port=5433 --username=\"twisterlab\" --no-password --dbname=\"twisterlab\" --file=\"export.sql\"",
            arguments.Render());
        Assert.DoesNotContain("hunter2", arguments.Render());
        Assert.Equal("hunter2", settings.ToolEnvironment()["TWISTERLAB_PSQL_app_password"]);
        Assert.DoesNotContain("s3cret", arguments.Render());
    }
}
