using System.Security.Cryptography;
using StackExchange.Redis;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Cake.Data;

public sealed record RedisServerInfo(string Version, long KeyCount, DateTime LastSaveUtc);

public sealed record RedisBackup(string Path, long Bytes, string Sha256, long KeyCount, string ServerVersion, DateTime SavedAtUtc);

/// <summary>Where the bytes of a Redis RDB come from: the server's own file when local, or a stream (Kubernetes exec).</summary>
public interface IRdbSource
{
    Task CopyToAsync(Stream destination, CancellationToken cancellationToken);
}

/// <summary>The guide's Redis steps: PING, SAVE, copy dump.rdb out, and a check of the copy on a throwaway server.</summary>
public sealed class RedisGateway
{
    public async Task<RedisServerInfo> PingAsync(RedisTarget target, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(target);
        var server = Server(connection);
        await connection.GetDatabase().PingAsync();
        return new RedisServerInfo(server.Version.ToString(), await TotalKeysAsync(server), await server.LastSaveAsync());
    }

    /// <summary>
    /// Persists the dataset. Foreground SAVE blocks the server for its duration (the guide's command); background
    /// saves fork and we wait until LASTSAVE moves past the time we asked.
    /// </summary>
    public async Task<DateTime> SaveAsync(RedisTarget target, bool background = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(target);
        var server = Server(connection);
        var before = await server.LastSaveAsync();
        if (!background)
        {
            await server.SaveAsync(SaveType.ForegroundSave);
            return await server.LastSaveAsync();
        }
        try
        {
            await server.SaveAsync(SaveType.BackgroundSave);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("in progress", StringComparison.OrdinalIgnoreCase))
        {
            // Someone else's BGSAVE is running; its completion serves us as well.
        }
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10));
        while (DateTime.UtcNow < deadline)
        {
            var last = await server.LastSaveAsync();
            // LASTSAVE has one-second resolution; a save finishing in the same second as the previous one is
            // recognised by the persistence info instead.
            if (last > before || (await BackgroundSaveFinishedAsync(server) && last >= before && last > DateTime.MinValue)) return last;
            await Task.Delay(200, cancellationToken);
        }
        throw new DataOperationException($"Redis {target} BGSAVE did not finish within {timeout ?? TimeSpan.FromMinutes(10)}: check the server log (disk space, fork failures) and retry.");
    }

    /// <summary>
    /// SAVE, then copy the RDB file to <paramref name="destinationPath"/> and record its checksum and key count.
    /// Without <paramref name="source"/> the file is read from the server's <c>CONFIG GET dir</c>/<c>dbfilename</c>,
    /// which only works when the server runs on this machine.
    /// </summary>
    public async Task<RedisBackup> BackupAsync(RedisTarget target, string destinationPath, IRdbSource? source = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(target);
        var server = Server(connection);
        var keys = await TotalKeysAsync(server);
        await server.SaveAsync(SaveType.ForegroundSave);
        var savedAt = await server.LastSaveAsync();
        source ??= await LocalRdbFile.FromServerAsync(server, target);

        var partial = destinationPath + ".partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await source.CopyToAsync(file, cancellationToken);
            File.Move(partial, destinationPath, overwrite: true);
        }
        catch (IOException ex)
        {
            File.Delete(partial);
            throw new DataOperationException($"Writing the Redis backup to {destinationPath} failed ({ex.Message}): free disk space or choose another folder.", ex);
        }
        var sha = await Sha256Async(destinationPath, cancellationToken);
        return new RedisBackup(destinationPath, new FileInfo(destinationPath).Length, sha, keys, server.Version.ToString(), savedAt);
    }

    /// <summary>
    /// Loads the copy into a throwaway redis-server and compares its key count with the one recorded at backup
    /// time. A truncated or corrupted RDB makes redis-server refuse to start, which is reported too.
    /// </summary>
    public async Task VerifyBackupAsync(RedisBackup backup, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(backup.Path))
            throw new DataOperationException($"Redis backup {backup.Path} does not exist: take the backup again.");
        var sha = await Sha256Async(backup.Path, cancellationToken);
        if (sha != backup.Sha256)
            throw new DataOperationException($"Redis backup {backup.Path} checksum mismatch (file changed or corrupted since it was taken): take the backup again.");
        ThrowawayRedis scratch;
        try
        {
            scratch = await ThrowawayRedis.StartAsync(backup.Path, cancellationToken: cancellationToken);
        }
        catch (DataOperationException ex)
        {
            throw new DataOperationException($"Redis backup {backup.Path} does not load (corrupt or truncated RDB): take the backup again.", ex);
        }
        await using (scratch)
        {
            await using var connection = await ConnectAsync(scratch.Target);
            var loaded = await TotalKeysAsync(Server(connection));
            if (loaded != backup.KeyCount)
                throw new DataOperationException($"Redis backup {backup.Path} holds {loaded} keys, the server had {backup.KeyCount}: take the backup again (was the server written to during SAVE?).");
        }
    }

    internal static async Task<ConnectionMultiplexer> ConnectAsync(RedisTarget target)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(target.ToOptions());
        }
        catch (RedisConnectionException ex) when (ex.FailureType == ConnectionFailureType.AuthenticationFailure || ex.Message.Contains("NOAUTH") || ex.Message.Contains("WRONGPASS") || ex.InnerException?.Message.Contains("WRONGPASS") == true)
        {
            throw new DataOperationException($"Authentication failed for Redis {target}: check the password in the Redis URL.", ex);
        }
        catch (RedisConnectionException ex)
        {
            throw new DataOperationException($"Cannot reach Redis {target}: check host, port and that redis-server is running.", ex);
        }
    }

    private static IServer Server(ConnectionMultiplexer connection) => connection.GetServer(connection.GetEndPoints()[0]);

    private static async Task<long> TotalKeysAsync(IServer server)
    {
        // DBSIZE per logical database: SELECT-less via the keyspace section of INFO.
        var info = await server.InfoAsync("keyspace");
        return info.SelectMany(group => group)
            .Select(pair => pair.Value.Split(',').First(part => part.StartsWith("keys=", StringComparison.Ordinal))["keys=".Length..])
            .Sum(long.Parse);
    }

    internal static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static async Task<bool> BackgroundSaveFinishedAsync(IServer server)
    {
        var persistence = await server.InfoAsync("persistence");
        var inProgress = persistence.SelectMany(g => g).FirstOrDefault(p => p.Key == "rdb_bgsave_in_progress").Value;
        return inProgress == "0";
    }
}
