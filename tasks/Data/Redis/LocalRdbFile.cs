using StackExchange.Redis;

namespace TwisterLab.Cake.Data;

/// <summary>The server's RDB file read straight from disk (server on this machine).</summary>
public sealed class LocalRdbFile(string path) : IRdbSource
{
    public string Path { get; } = path;

    public static async Task<LocalRdbFile> FromServerAsync(IServer server, RedisTarget target)
    {
        var dir = (await server.ConfigGetAsync("dir")).FirstOrDefault().Value;
        var name = (await server.ConfigGetAsync("dbfilename")).FirstOrDefault().Value;
        var path = System.IO.Path.Combine(dir ?? ".", name ?? "dump.rdb");
        if (!File.Exists(path))
            throw new DataOperationException($"Redis {target} saved to {path}, which is not on this machine: pass an exec stream source (in-cluster) or run the backup where the server runs.");
        return new LocalRdbFile(path);
    }

    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        await using var source = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        await source.CopyToAsync(destination, cancellationToken);
    }
}
