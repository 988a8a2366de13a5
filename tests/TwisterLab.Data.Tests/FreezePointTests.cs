using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>
/// The content of a frozen database, read after the freeze is lifted (PostgresMajorUpgrade's checksums after the pause):
/// what was there when pinned, nothing of what is written afterwards, and a freeze's lift does not end the session.
/// </summary>
public sealed class FreezePointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Reads_the_content_as_pinned_after_the_freeze_is_lifted_and_writes_resume()
    {
        var db = await postgres.CreateDatabaseAsync("fp");
        await PostgresFixture.ExecuteAsync(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
        await WriteFreeze.FreezeAsync(db, CancellationToken.None);
        var atFreeze = await IntegritySnapshotter.TakeAsync(db);

        await using var pinned = await FreezePoint.PinAsync(db, CancellationToken.None);
        await WriteFreeze.LiftAsync(db, CancellationToken.None); // ends every client session but the pinned one
        await PostgresFixture.ExecuteAsync(db, "INSERT INTO t VALUES (1001, 'after'); UPDATE t SET v = 'changed' WHERE id = 1; DELETE FROM t WHERE id = 2; CREATE TABLE later (id int PRIMARY KEY)");

        Assert.Equal(["public.t"], pinned.Tables);
        var read = await pinned.ReadAsync(CancellationToken.None);
        Assert.Empty(read.CompareTo(atFreeze));
        Assert.Empty(atFreeze.CompareTo(read));
        Assert.Equal(1000L, (await pinned.RowCountsAsync(CancellationToken.None))["public.t"]);
        Assert.NotEmpty((await IntegritySnapshotter.TakeAsync(db)).CompareTo(atFreeze));
    }
}
