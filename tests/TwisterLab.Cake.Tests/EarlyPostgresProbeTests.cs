using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Tests;

public sealed class EarlyPostgresProbeTests
{
    private static string Unreachable() => $"postgresql://postgres:pw@127.0.0.1:1/early_{Guid.NewGuid():N}";

    [Theory]
    [InlineData("--dryrun")]
    [InlineData("--noop")]
    [InlineData("--WhatIf")]
    public void A_plan_reaches_no_server_so_none_is_probed_early(string planOption) =>
        Assert.Null(EarlyPostgresProbe.StartFor(["--target=BackupDatabase", $"--database-url={Unreachable()}", planOption]));

    [Fact]
    public async Task A_probe_started_with_the_process_is_taken_once_and_a_refusal_is_checked_again()
    {
        var url = Unreachable();
        Assert.Equal(url, EarlyPostgresProbe.StartFor(["--target=BackupDatabase", "--database-url=" + url]));
        Assert.Null(EarlyPostgresProbe.StartFor(["--database-url=" + url])); // one at a time per URL

        var refused = await EarlyPostgresProbe.PostgresAsync(url, CancellationToken.None);
        Assert.StartsWith("Cannot reach PostgreSQL", refused);
        Assert.DoesNotContain("pw", refused);

        // Taken: the next run (a longer-lived process) starts its own.
        Assert.Equal(url, EarlyPostgresProbe.StartFor(["--database-url=" + url]));
        EarlyPostgresProbe.Forget(url);
        Assert.Equal(url, EarlyPostgresProbe.StartFor(["--database-url=" + url]));
        EarlyPostgresProbe.Forget(url);
    }

    [Fact]
    public void A_command_line_without_a_database_url_starts_nothing() =>
        Assert.Null(EarlyPostgresProbe.StartFor(["--target=RollingUpgrade", "--image-tag=v2.0", "--database-url="]));
}
