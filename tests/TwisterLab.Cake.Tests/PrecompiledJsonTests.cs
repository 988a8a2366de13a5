using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The report, the journal, the environment profiles and the backup manifest are read and written by contracts
/// generated at compile time (no Reflection.Emit, no JIT on every run's path). They must be the ones in use, and give
/// the very bytes reflection gives with the same settings: pipelines and other machines read these files.
/// </summary>
public sealed class PrecompiledJsonTests
{
    [Fact]
    public void Every_file_of_a_run_is_read_and_written_by_a_generated_contract()
    {
        Assert.IsAssignableFrom<JsonSerializerContext>(RunJournal.Json.GetTypeInfo(typeof(RunReport)).OriginatingResolver);
        Assert.IsAssignableFrom<JsonSerializerContext>(RunJournal.Json.GetTypeInfo(typeof(RunJournal.JournalFile)).OriginatingResolver);
        Assert.IsAssignableFrom<JsonSerializerContext>(EnvironmentProfile.Json.GetTypeInfo(typeof(EnvironmentProfile)).OriginatingResolver);
        Assert.IsAssignableFrom<JsonSerializerContext>(BackupManifest.Json.GetTypeInfo(typeof(BackupManifest)).OriginatingResolver);
        // A compensation's own record is not listed: reflection still serializes it into the journal.
        Assert.IsType<DefaultJsonTypeInfoResolver>(RunJournal.Json.GetTypeInfo(typeof(Uri)).OriginatingResolver);
    }

    [Fact]
    public void The_report_is_written_as_reflection_writes_it()
    {
        var report = new RunReport
        {
            RunId = "20261203-000000000-abcd",
            Target = "BackupDatabase",
            Environment = "production",
            Namespace = "twisterlab",
            Cluster = new ClusterBinding("uid-1", "https://10.0.0.1:6443", "prod", "twisterlab", "production"),
            Arguments = new Dictionary<string, string> { ["image-tag"] = "v2.0" },
            Started = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 12, 3, 10, 0, 2, 500, TimeSpan.Zero),
            Outcome = RunOutcome.RolledBack,
            ExitCode = 1,
            Error = "pg_dump: failed",
            Steps =
            [
                new StepRecord("BackupDatabase", StepStatus.Failed, new DateTimeOffset(2026, 12, 3, 10, 0, 1, TimeSpan.Zero), TimeSpan.FromSeconds(1.25), "failed",
                    new JsonObject { ["backup"] = new JsonObject { ["rows"] = 3, ["phases"] = new JsonArray("a", "b") } }),
            ],
            Compensations =
            [
                new JournalEntry
                {
                    Sequence = 1, Step = "BackupDatabase", Kind = "remove-file", Description = "rm x", Data = JsonSerializer.SerializeToElement(new { path = "x" }),
                    RecordedAt = new DateTimeOffset(2026, 12, 3, 10, 0, 1, TimeSpan.Zero), Status = CompensationStatus.Applied,
                },
            ],
            Notes = ["Rolled back."],
        };

        Assert.Equal(JsonSerializer.Serialize(report, ByReflection(RunJournal.Json)), report.ToJson());
        Assert.Contains("\"outcome\": \"rolledBack\"", report.ToJson());
    }

    [Fact]
    public void Every_environment_profile_reads_as_reflection_reads_it_keeping_the_defaults_it_leaves_out()
    {
        var reflection = ByReflection(EnvironmentProfile.Json);
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "environments"), "*.json"))
        {
            var reflected = JsonSerializer.Deserialize<EnvironmentProfile>(File.ReadAllText(path), reflection)!;
            Assert.Equal(JsonSerializer.Serialize(reflected, reflection), JsonSerializer.Serialize(EnvironmentProfile.Load(path), reflection));
        }

        var folder = Directory.CreateTempSubdirectory("profile-").FullName;
        try
        {
            var partial = Path.Combine(folder, "partial.json");
            File.WriteAllText(partial, """{ "namespace": "a", "thresholds": { "maxErrorRate": 0.02 } }""");
            var profile = EnvironmentProfile.Load(partial);
            Assert.Equal(("a", "twisterlab-api", 3), (profile.Namespace, profile.Deployment, profile.Replicas));
            Assert.Equal((0.02, 0.5), (profile.Thresholds.MaxErrorRate, profile.Thresholds.MaxP95Seconds));

            var unknown = Path.Combine(folder, "x.json");
            File.WriteAllText(unknown, """{ "namespace": "a", "replica": 2 }""");
            Assert.Contains("replica", Assert.Throws<Hosting.BadInputException>(() => EnvironmentProfile.Load(unknown)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_backup_manifest_is_written_as_reflection_writes_it_and_read_back()
    {
        var manifest = new BackupManifest
        {
            Database = "twisterlab", Server = "127.0.0.1:5432", ServerVersion = "15.8", Format = "directory", Compression = 1, Jobs = 2,
            SizeBytes = 42, Sha256 = "ab", Files = new Dictionary<string, string> { ["toc.dat"] = "cd" },
            TableRows = new Dictionary<string, long> { ["public.users"] = 3 }, CreatedAt = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero),
            DurationSeconds = 1.5, Cluster = new ClusterBinding(null, null, null, "twisterlab", "staging"),
        };
        var folder = Directory.CreateTempSubdirectory("manifest-").FullName;
        try
        {
            var backup = Path.Combine(folder, "backup");
            await manifest.WriteAsync(backup);

            var reflection = ByReflection(BackupManifest.Json);
            var byReflection = JsonSerializer.Serialize(manifest, reflection);
            Assert.Equal(byReflection, File.ReadAllText(BackupManifest.PathFor(backup)));
            Assert.Equal(byReflection, JsonSerializer.Serialize(await BackupManifest.ReadAsync(backup), reflection));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The same settings, with reflection's contracts only.</summary>
    private static JsonSerializerOptions ByReflection(JsonSerializerOptions options) => new(options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
}
