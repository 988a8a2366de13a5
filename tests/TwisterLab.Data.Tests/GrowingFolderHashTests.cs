using System.Security.Cryptography;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>Hashing a directory backup while pg_dump writes it gives the digest of the finished files, or refuses.</summary>
public sealed class GrowingFolderHashTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"twl-growing-{Guid.NewGuid():N}");

    [Fact]
    public async Task Files_appended_while_followed_hash_as_the_finished_files()
    {
        using var hashing = new GrowingFolderHash(_folder);
        // A writer like pg_dump's: the folder appears late, a file grows chunk by chunk, a second file comes last.
        var writer = Task.Run(async () =>
        {
            await Task.Delay(150);
            Directory.CreateDirectory(_folder);
            await using (var data = new FileStream(Path.Combine(_folder, "3000.dat.gz"), FileMode.CreateNew))
            {
                for (var chunk = 0; chunk < 20; chunk++)
                {
                    await data.WriteAsync(Enumerable.Range(0, 100_000).Select(i => (byte)(i * chunk)).ToArray());
                    await data.FlushAsync();
                    await Task.Delay(20);
                }
            }

            await File.WriteAllTextAsync(Path.Combine(_folder, "toc.dat"), "the table of contents, written last");
        });

        await hashing.FollowAsync(writer, CancellationToken.None);
        var (size, files) = await hashing.FinishAsync(CancellationToken.None);

        Assert.Equal(["3000.dat.gz", "toc.dat"], files.Keys);
        foreach (var (name, sha) in files)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, name)))), sha);
        }

        Assert.Equal(Directory.GetFiles(_folder).Sum(path => new FileInfo(path).Length), size);
    }

    [Fact]
    public async Task A_file_cut_short_after_it_was_read_is_refused()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "3000.dat.gz");
        await File.WriteAllBytesAsync(path, new byte[50_000]);
        using var hashing = new GrowingFolderHash(_folder);
        await hashing.FollowAsync(Task.Delay(250), CancellationToken.None);

        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) file.SetLength(10_000);

        var refused = await Assert.ThrowsAsync<DataOperationException>(() => hashing.FinishAsync(CancellationToken.None));
        Assert.Contains("changed after pg_dump wrote it", refused.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
