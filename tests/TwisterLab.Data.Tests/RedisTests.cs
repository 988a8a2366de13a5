using StackExchange.Redis;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Data.Tests;

public sealed class RedisFixture : IAsyncLifetime
{
    public ThrowawayRedis Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ThrowawayRedis.StartAsync();

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RedisTests(RedisFixture redis) : IClassFixture<RedisFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twl-rdb-").FullName;
    private readonly RedisGateway _gateway = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task FillAsync(int keys)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Target.ToOptions());
        var db = connection.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, keys).Select(i => db.StringSetAsync($"session:{i}", new string('v', 100))));
        await connection.GetDatabase(3).HashSetAsync("agents", [new HashEntry("a", "1"), new HashEntry("b", "2")]);
    }

    [Fact]
    public async Task Save_copy_and_verify_on_a_throwaway_server()
    {
        await FillAsync(500);
        var info = await _gateway.PingAsync(redis.Server.Target);
        Assert.Equal(501, info.KeyCount);

        var backup = await _gateway.BackupAsync(redis.Server.Target, Path.Combine(_folder, "dump_20251210.rdb"));

        Assert.Equal(501, backup.KeyCount);
        Assert.True(backup.Bytes > 500 * 100 / 10);
        await _gateway.VerifyBackupAsync(backup);
    }

    [Fact]
    public async Task Background_save_waits_for_lastsave_to_move()
    {
        await FillAsync(10);
        var before = (await _gateway.PingAsync(redis.Server.Target)).LastSaveUtc;
        await Task.Delay(1100); // LASTSAVE has one-second resolution
        var saved = await _gateway.SaveAsync(redis.Server.Target, background: true);
        Assert.True(saved > before);
    }

    [Fact]
    public async Task A_truncated_copy_or_a_key_count_mismatch_is_detected()
    {
        await FillAsync(200);
        var backup = await _gateway.BackupAsync(redis.Server.Target, Path.Combine(_folder, "d.rdb"));

        var bytes = await File.ReadAllBytesAsync(backup.Path);
        await File.WriteAllBytesAsync(backup.Path, bytes[..(bytes.Length / 2)]);
        var truncatedBackup = backup with { Sha256 = await Sha(backup.Path) };
        var error = await Assert.ThrowsAsync<DataOperationException>(() => _gateway.VerifyBackupAsync(truncatedBackup));
        Assert.Contains("does not load", error.Message);

        await File.WriteAllBytesAsync(backup.Path, bytes);
        var checksum = await Assert.ThrowsAsync<DataOperationException>(() => _gateway.VerifyBackupAsync(backup with { Sha256 = new string('0', 64) }));
        Assert.Contains("checksum mismatch", checksum.Message);

        var count = await Assert.ThrowsAsync<DataOperationException>(() => _gateway.VerifyBackupAsync(backup with { KeyCount = backup.KeyCount + 1 }));
        Assert.Contains("keys", count.Message);
    }

    [Fact]
    public async Task Unreachable_server_and_wrong_password_are_one_line_errors()
    {
        var unreachable = await Assert.ThrowsAsync<DataOperationException>(() => _gateway.PingAsync(new RedisTarget("127.0.0.1:1,connectTimeout=300")));
        Assert.StartsWith("Cannot reach Redis", unreachable.Message);

        await using var guarded = await ThrowawayRedis.StartAsync(password: "right-one");
        Assert.Equal(0, (await _gateway.PingAsync(guarded.Target)).KeyCount);
        var wrong = await Assert.ThrowsAsync<DataOperationException>(() => _gateway.PingAsync(new RedisTarget($"127.0.0.1:{guarded.Port},password=letmein,connectTimeout=1000")));
        Assert.StartsWith("Authentication failed", wrong.Message);
        Assert.DoesNotContain("letmein", wrong.Message);
        Assert.DoesNotContain('\n', wrong.Message);
    }

    private static Task<string> Sha(string path) => RedisGateway.Sha256Async(path, CancellationToken.None);
}
