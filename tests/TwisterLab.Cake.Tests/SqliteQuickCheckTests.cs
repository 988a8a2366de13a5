using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Tests;

/// <summary>The quick_check started with the process answers for the file as it is, not as it was when first asked.</summary>
public sealed class SqliteQuickCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twisterlab-quick-check-").FullName;

    [Fact]
    public async Task A_file_replaced_at_the_same_path_is_checked_again()
    {
        var path = Path.Combine(_folder, "app.db");
        SmallSqlite.Write(path);

        SqliteQuickCheck.StartFor([$"--{DeployArguments.SqlitePath}={path}", "--target=ImportSqlite"]);
        Assert.Null(await SqliteQuickCheck.Of(path));

        // The same path, the same size, damaged pages, written a moment later.
        File.WriteAllBytes(path, SmallSqlite.Damaged(File.ReadAllBytes(path)));
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(1));

        var problem = await SqliteQuickCheck.Of(path);
        Assert.NotNull(problem);
        Assert.StartsWith($"'{path}'", problem); // fails quick_check, or cannot be read at all: either way, named
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
