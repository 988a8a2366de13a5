using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.Cake.Tests.Chains;

namespace TwisterLab.Cake.Tests;

/// <summary>Runs alone: the one-line check reads the process's stderr, which a parallel chain test would share.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone on the console";
}

/// <summary>
/// The outside reliability pass's table of bad inputs (issue 17), across the chains, each against a live rehearsal
/// world (simulated cluster, real PostgreSQL and Redis, stand-in API): exit 2, one "error:" line on stderr that
/// names the argument, and the world as it was, with no journal record. Placeholders in a case ({pg}, {redis},
/// {files}, {run}) are filled from the fixture.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class BadInputTableTests(BadInputTableTests.World world) : IClassFixture<BadInputTableTests.World>
{
    /// <summary>Chain, arguments ("-name" drops a rehearsal argument), and what the line must contain: the argument's name.</summary>
    private static readonly (string Chain, string Arguments, string Names)[] Cases =
    [
        // Durations: a parser and a range each, never "TimeSpan overflowed".
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=0s", "--rollout-timeout"),
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=10", "--rollout-timeout"),
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=99999999999999999999h", "--rollout-timeout"),
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=-5m", "--rollout-timeout"),
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=25h", "--rollout-timeout"),
        ("RollingUpgrade", "--image-tag=v2.0 --rollout-timeout=", "--rollout-timeout"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --monitor-window=0s", "--monitor-window"),
        ("Monitor", "--monitor-window=1y", "--monitor-window"),
        ("RollingUpgrade", "--image-tag=v2.0 --monitor-interval=0s", "--monitor-interval"),
        ("Monitor", "--monitor-interval=10m", "--monitor-interval"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --scale-down-delay=forever", "--scale-down-delay"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --scale-down-delay=100000000h", "--scale-down-delay"),
        // Percentages.
        ("BlueGreenDeploy", "--image-tag=v2.0 --canary=0", "--canary"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --canary=100", "--canary"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --canary=abc", "--canary"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --canary=20%", "--canary"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --canary=-5", "--canary"),
        // --inject-failure names a step of this chain.
        ("RollingUpgrade", "--image-tag=v2.0 --inject-failure=SetImag", "--inject-failure"),
        ("BlueGreenDeploy", "--image-tag=v2.0 --inject-failure=SetImage", "--inject-failure"),
        ("RollingUpgrade", "--image-tag=v2.0 --inject-failure=Set/Image", "--inject-failure"),
        // Image references.
        ("RollingUpgrade", "--image-tag=v2:0", "--image-tag"),
        ("RollingUpgrade", "--image-tag=-v2", "--image-tag"),
        ("RollingUpgrade", "--image-tag=" + new string('v', 129), "--image-tag"),
        ("RollingUpgrade", "--image-tag", "--image-tag"),
        ("RedisUpgrade", "--redis-image=redis:", "--redis-image"),
        ("RedisUpgrade", "--redis-image=Redis:7.2", "--redis-image"),
        // URLs of every kind, parsed, then reached with their credentials before the first change.
        ("RollingUpgrade", "--image-tag=v2.0 --database-url=mysql://twisterlab:pw@db:3306/twisterlab", "--database-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --database-url=nonsense", "--database-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --database-url=postgresql://twisterlab:wrong-password@{pg}/twisterlab", "--database-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --database-url=postgresql://twisterlab:pw@127.0.0.1:1/twisterlab", "--database-url"),
        ("MigrateToMultiTenant", "--database-url=postgresql://twisterlab:pw@{pg}/no_such_database", "--database-url"),
        ("PostgresMajorUpgrade", "--new-database-url=http://localhost:5433/twisterlab", "--new-database-url"),
        ("StagingRehearsal", "--environment=staging --image-tag=v2.0 --source-database-url=mysql://reader@db/x", "--source-database-url"),
        ("RedisUpgrade", "--redis-url=redis://:pw@bad host:6379", "--redis-url"),
        ("RedisUpgrade", "--redis-url=redis://127.0.0.1:1", "--redis-url"),
        ("RedisUpgrade", "--redis-url=redis://:wrong-password@{redis}", "--redis-url"),
        ("RedisUpgrade", "--redis-url=redis://{redis}", "--redis-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --api-url=localhost:8000", "--api-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --api-url=ftp://api.example", "--api-url"),
        ("RollingUpgrade", "--image-tag=v2.0 --api-url=http://127.0.0.1:1", "--api-url"),
        ("Monitor", "--prometheus-url=prometheus:9090", "--prometheus-url"),
        ("Monitor", "--prometheus-url=http://127.0.0.1:1", "--prometheus-url"),
        ("MigrateComposeToKubernetes", "--compose-database-url=mysql://x@compose-host/twisterlab", "--compose-database-url"),
        ("MigrateComposeToKubernetes", "--docker-host=compose-host", "--docker-host"),
        // Files: there, not empty, and for SQLite a real, whole, consistent database.
        ("MigrateSqliteToPostgres", "--sqlite-path={files}/no-such.db", "--sqlite-path"),
        ("MigrateSqliteToPostgres", "--sqlite-path={files}/empty.db", "--sqlite-path"),
        ("MigrateSqliteToPostgres", "--sqlite-path={files}/notes.txt", "--sqlite-path"),
        ("MigrateSqliteToPostgres", "--sqlite-path={files}/truncated.db", "--sqlite-path"),
        ("MigrateSqliteToPostgres", "--sqlite-path={files}/corrupt.db", "--sqlite-path"),
        // The step alone: it reads the file before its first change while quick_check still runs beside it.
        ("ImportSqlite", "--sqlite-path={files}/corrupt.db --database-url={pgurl}", "--sqlite-path"),
        ("RollingUpgrade", "--image-tag=v2.0 --kubeconfig={files}/no-such-kubeconfig", "--kubeconfig"),
        ("RollingUpgrade", "--image-tag=v2.0 --kubeconfig={files}/empty.db", "--kubeconfig"),
        ("FullRollback", "--backup={files}/no-such.dump", "--backup"),
        ("MaintenanceUpgrade", "--image-tag=v2.0 --schema-migration={files}/no-such.sql", "--schema-migration"),
        ("RollingUpgrade", "--image-tag=v2.0 --manifests={files}/no-such-folder", "--manifests"),
        ("RollingUpgrade", "--image-tag=v2.0 --backup-dir={files}/notes.txt", "--backup-dir"),
        ("Rollback", "--run={run}", "--run"),
        ("Rollback", "--run=20261125-140512345-k3v9", "--run"),
        // Inputs a step cannot start without.
        ("RollingUpgrade", "", "--image-tag"),
        ("BlueGreenDeploy", "", "--image-tag"),
        ("BlueGreenRollback", "", "--image-tag"),
        ("ClusterUpgrade", "", "--kubernetes-version"),
        ("MigrateSqliteToPostgres", "", "--sqlite-path"),
        ("MigrateToMultiTenant", "-database-url", "--database-url"),
        // Flags, names and the rest.
        ("RollingUpgrade", "--image-tag=v2.0 --confirm=maybe", "--confirm"),
        ("RollingUpgrade", "--image-tag=v2.0 --migrations-reversible=yes", "--migrations-reversible"),
        ("RollingUpgrade", "--image-tag=v2.0 --namespace=Bad_NS", "--namespace"),
        ("RollingUpgrade", "--image-tag=v2.0 --environment=qa", "environment 'qa'"),
        ("RollingUpgrade", "--imgae-tag=v2.0", "--imgae-tag"),
        ("RollingUpgrad", "--image-tag=v2.0", "target 'RollingUpgrad'"),
        ("ClusterUpgrade", "--kubernetes-version=1.29", "--kubernetes-version"),
        ("ClusterUpgrade", "--kubernetes-version=1.29.0 --nodes=Node_1", "--nodes"),
        ("ClusterUpgrade", "--kubernetes-version=1.29.0 --node-upgrade-command=upgrade-the-node", "--node-upgrade-command"),
        ("Rollback", "--run=yesterday", "--run"),
        ("RollingUpgrade", "--image-tag=v2.0 --cluster=minikube", "--cluster"),
        ("RollingUpgrade", "--image-tag=v2.0 --secret=bad name", "--secret"),
        ("RollingUpgrade", "--image-tag=v2.0 --migration-command=", "--migration-command"),
        ("RollingUpgrade", "--image-tag=v2.0 --context=", "--context"),
        ("RollingUpgrade", "--image-tag=v2.0 --verbosity=loud", "--verbosity"),
        ("StagingRehearsal", "--environment=staging --image-tag=v2.0 --anonymize=users.email", "--anonymize"),
    ];

    public static TheoryData<int> All()
    {
        var data = new TheoryData<int>();
        foreach (var index in Enumerable.Range(0, Cases.Length))
        {
            data.Add(index);
        }

        return data;
    }

    [Fact]
    public void The_table_holds_the_issue_s_57_cases_and_more() => Assert.True(Cases.Length >= 57, $"{Cases.Length} cases");

    [Theory]
    [MemberData(nameof(All))]
    public async Task Is_refused_in_one_line_naming_the_argument_and_changes_nothing(int index)
    {
        var (chain, arguments, names) = Cases[index];
        var before = await world.Rehearsal.SnapshotAsync();
        var journalsBefore = world.Journals();
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exitCode;
        try
        {
            exitCode = world.Run(chain, world.Fill(arguments));
        }
        finally
        {
            Console.SetError(original);
        }

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var what = $"{chain} {arguments}: exit {exitCode}, stderr:\n{error}";
        Assert.True(exitCode == ExitCodes.BadInput, what);
        var line = Assert.Single(lines);
        Assert.True(line.StartsWith("error: ", StringComparison.Ordinal) && line.Contains(names, StringComparison.Ordinal), what);
        Assert.DoesNotContain("wrong-password", line);
        Assert.Empty(before.Differences(await world.Rehearsal.SnapshotAsync()));
        Assert.Equal(journalsBefore, world.Journals());
    }

    /// <summary>One rehearsal for the whole table (each case changes nothing, which is what is asserted), plus the files.</summary>
    public sealed class World : IAsyncLifetime
    {
        public Chains.Rehearsal Rehearsal { get; private set; } = null!;

        private ThrowawayRedis _redis = null!;

        public string Files { get; } = Directory.CreateTempSubdirectory("twisterlab-bad-input-").FullName;

        public string DamagedRun { get; } = "20261125-140512345-dmgd";

        public async Task InitializeAsync()
        {
            Rehearsal = await Chains.Rehearsal.StartAsync();
            Rehearsal.UseProjectProfiles();
            _redis = await ThrowawayRedis.StartAsync(password: "the-right-one");
            File.WriteAllBytes(Path.Combine(Files, "empty.db"), []);
            File.WriteAllText(Path.Combine(Files, "notes.txt"), string.Concat(Enumerable.Repeat("not a database\n", 100)));
            var whole = Path.Combine(Files, "whole.db");
            SmallSqlite.Write(whole);
            var bytes = File.ReadAllBytes(whole);
            File.WriteAllBytes(Path.Combine(Files, "truncated.db"), bytes[..(bytes.Length - 300)]);
            File.WriteAllBytes(Path.Combine(Files, "corrupt.db"), SmallSqlite.Damaged(bytes));

            var runFolder = Directory.CreateDirectory(Path.Combine(Rehearsal.WorkingDirectory, ".twisterlab", "runs", DamagedRun)).FullName;
            File.WriteAllText(Path.Combine(runFolder, "journal.json"), "{\"runId\": \"" + DamagedRun + "\", \"entries\": [ {\"sequence\": 1,");
        }

        public string Fill(string arguments) => arguments
            .Replace("{pgurl}", Rehearsal.Environment.Database.ConnectionString)
            .Replace("{pg}", $"{Rehearsal.Environment.Database.Host}:{Rehearsal.Environment.Database.Port}")
            .Replace("{redis}", $"127.0.0.1:{_redis.Port}")
            .Replace("{files}", Files)
            .Replace("{run}", DamagedRun);

        /// <summary>The rehearsal's arguments, less those the case gives or drops ("-name"), then the case's.</summary>
        public int Run(string chain, string arguments)
        {
            // Arguments start with '-': a value may hold a space ("--secret=bad name").
            var given = System.Text.RegularExpressions.Regex.Split(arguments.Trim(), @"\s+(?=-)").Where(argument => argument.Length > 0).ToArray();
            var named = given.Select(argument => argument.TrimStart('-').Split('=')[0]).ToHashSet();
            var kept = Rehearsal.Environment.Arguments.Where(argument => !named.Contains(argument.TrimStart('-').Split('=')[0]));
            return new CakeHost().UseTwisterLab().Run(
                [$"--target={chain}", .. kept, .. given.Where(argument => !argument.StartsWith('-') || argument.StartsWith("--", StringComparison.Ordinal)), $"--working={Rehearsal.WorkingDirectory}", "--confirm"]);
        }

        public IReadOnlyList<string> Journals()
        {
            var runs = Path.Combine(Rehearsal.WorkingDirectory, ".twisterlab", "runs");
            return Directory.Exists(runs)
                ? Directory.GetFiles(runs, "journal.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
                : [];
        }

        public async Task DisposeAsync()
        {
            await _redis.DisposeAsync();
            await Rehearsal.DisposeAsync();
            Directory.Delete(Files, recursive: true);
        }
    }
}
