using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Tests;

/// <summary>The docker CLI wrapper: the exact command lines, secrets masked, and the real CLI's answer when no engine is there.</summary>
public sealed class DockerRunnerTests
{
    [Fact]
    public void Exec_renders_the_guides_pg_dump_line()
    {
        var arguments = DockerRunner.Exec(new DockerExec("twisterlab-db", ["pg_dump", "-U", "twisterlab", "--no-password", "twisterlab"]));
        Assert.Equal("exec twisterlab-db pg_dump -U twisterlab --no-password twisterlab", arguments.Render());
    }

    [Fact]
    public void Exec_names_secret_variables_and_passes_their_values_through_the_clis_environment()
    {
        var exec = new DockerExec("db", ["psql"])
        {
            Interactive = true,
            Environment = new Dictionary<string, string> { ["PGUSER"] = "twisterlab" },
            SecretEnvironment = new Dictionary<string, string> { ["PGPASSWORD"] = "s3cret" },
        };
        var arguments = DockerRunner.Exec(exec);

        Assert.Equal("exec --interactive --env \"PGUSER=twisterlab\" --env PGPASSWORD db psql", arguments.Render());
        Assert.Equal("s3cret", new DockerSettings().PassSecrets(exec).EnvironmentVariables["PGPASSWORD"]);
    }

    [Fact]
    public void Copy_and_compose_quote_only_what_needs_quoting()
    {
        Assert.Equal("cp twisterlab-redis:/data/dump.rdb \"/srv/my backups/redis_backup.rdb\"",
            DockerRunner.Copy("twisterlab-redis:/data/dump.rdb", "/srv/my backups/redis_backup.rdb").Render());
        Assert.Equal("compose down", DockerRunner.Compose(new DockerComposeProject(null), "down").Render());
        Assert.Equal("compose --file \"/srv/twister lab/docker-compose.yml\" up --detach",
            DockerRunner.Compose(new DockerComposeProject("/srv/twister lab/docker-compose.yml"), "up", "--detach").Render());
    }

    [Fact]
    public void Version_asks_for_the_server_part_and_the_host_goes_first()
    {
        Assert.Equal("docker version --format \"{{.Server.Version}}\"", DockerRunner.Describe(DockerRunner.Version()));
        Assert.Equal("docker --host \"ssh://ops@compose-host\" version --format \"{{.Server.Version}}\"",
            DockerRunner.Describe(DockerRunner.Version(), new DockerSettings { Host = "ssh://ops@compose-host" }));
    }

    [Fact]
    public void The_real_docker_cli_fails_its_version_when_no_engine_answers()
    {
        var result = new CakeTools().Docker().Capture(new DockerSettings { Host = "unix:///nonexistent/docker.sock" }, DockerRunner.Version());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock", result.LastError);
    }

    [Fact]
    public async Task A_streamed_command_returns_the_real_clis_exit_code_and_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            var result = await new CakeTools().Docker().StreamToFileAsync(new DockerSettings { Host = "unix:///nonexistent/docker.sock" },
                DockerRunner.Exec(new DockerExec("twisterlab-db", ["pg_dump", "-U", "twisterlab", "twisterlab"])), path, CancellationToken.None);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Cannot connect to the Docker daemon", result.LastError);
            Assert.Equal(0, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_docker_cli_is_an_error_not_a_silent_success()
    {
        var exception = Assert.ThrowsAny<CakeException>(() => new CakeTools().Docker().Capture(new DockerSettings { ToolPath = "/no/such/docker" }, DockerRunner.Version()));
        Assert.Contains("docker", exception.Message);
    }

    [Fact]
    public async Task Plain_dump_rows_are_counted_per_table_from_the_copy_blocks()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                SET client_encoding = 'UTF8';
                COPY public.agents (id, name) FROM stdin;
                1	two\nlines
                2	back\\slash
                \.
                COPY "Sales"."Order Lines" (id) FROM stdin;
                \.
                COPY public.tickets (id, body) FROM stdin;
                1	x
                \.
                """);
            var rows = await PlainDumpRows.CountAsync(path);
            Assert.Equal(new Dictionary<string, long> { ["Sales.Order Lines"] = 0, ["public.agents"] = 2, ["public.tickets"] = 1 }, rows);

            await File.WriteAllTextAsync(path, "COPY public.agents (id) FROM stdin;\n1\n");
            var truncated = await Assert.ThrowsAsync<DataOperationException>(() => PlainDumpRows.CountAsync(path));
            Assert.Contains("ends inside the data of public.agents", truncated.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
