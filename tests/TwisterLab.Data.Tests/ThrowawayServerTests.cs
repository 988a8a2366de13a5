using System.Diagnostics;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Data.Tests;

public sealed class ThrowawayServerTests
{
    [Fact]
    public async Task Postgres_starts_on_loopback_with_password_auth_and_is_deleted_on_dispose()
    {
        string directory;
        await using (var server = await ThrowawayPostgres.StartAsync())
        {
            directory = server.DataDirectory;
            var version = await PostgresFixture.ScalarAsync<string>(server.Target(), "SHOW server_version");
            Assert.StartsWith("15", version);
            var wrong = PostgresTarget.Parse($"postgresql://postgres:wrong@127.0.0.1:{server.Port}/postgres");
            var error = await Assert.ThrowsAsync<DataOperationException>(() => PostgresErrors.OpenAsync(wrong));
            Assert.Contains("Authentication failed", error.Message);
            Assert.DoesNotContain("wrong", error.Message);
        }
        Assert.False(Directory.Exists(directory));
        Assert.False(ProcessesUsing(directory));
    }

    [Fact]
    public async Task Redis_starts_and_is_deleted_on_dispose()
    {
        string directory;
        await using (var server = await ThrowawayRedis.StartAsync())
        {
            directory = server.Directory;
            var info = await new RedisGateway().PingAsync(server.Target);
            Assert.StartsWith("7", info.Version);
        }
        Assert.False(Directory.Exists(directory));
        Assert.False(ProcessesUsing(directory));
    }

    /// <summary>
    /// The promise that matters for CI: a test process killed with SIGKILL leaves no server behind.
    /// The watchdog is pointed at a short-lived `sleep` standing in for the test process.
    /// </summary>
    [Fact]
    public void Watchdog_stops_the_server_and_deletes_its_folder_when_the_parent_dies()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"twl-wd-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        using var parent = Process.Start("sleep", "1")!;
        using var watchdog = Watchdog.Start(null, "TERM", "/dev/null", directory, "sleep", ["300"], parentPid: parent.Id);
        parent.WaitForExit();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!watchdog.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.True(watchdog.HasExited, "watchdog did not react to its parent's death");
        Assert.False(Directory.Exists(directory));
    }

    internal static bool ProcessesUsing(string directory) =>
        Directory.GetDirectories("/proc").Any(p =>
        {
            try { return File.ReadAllText(Path.Combine(p, "cmdline")).Contains(directory); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        });
}
