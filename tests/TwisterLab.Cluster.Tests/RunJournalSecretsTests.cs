using System.Text;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>The run journals kept in the namespace: labelled Secrets that kubectl finds by label, and the pruning.</summary>
public sealed class RunJournalSecretsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_journal_is_kept_as_a_labelled_secret_that_kubectl_selects_by_state_and_reads_back()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var journals = cluster.Gateway.RunJournals;
        var started = DateTimeOffset.Parse("2026-12-02T10:00:00Z");
        await journals.WriteAsync(new RunJournalCopy("20261202-100000000-aaaa", "RollingUpgrade", RunJournalSecrets.Running, "ci@runner-7", started, Encoding.UTF8.GetBytes("{\"entries\":[1]}")), None);
        await journals.WriteAsync(new RunJournalCopy("20261202-100000000-aaaa", "RollingUpgrade", RunJournalSecrets.Running, "ci@runner-7", started, Encoding.UTF8.GetBytes("{\"entries\":[1,2]}")), None);
        await journals.WriteAsync(new RunJournalCopy("20261202-110000000-bbbb", "Rollback", "succeeded", "ci@runner-8", started, "{}"u8.ToArray()), None);

        var running = await cluster.KubectlAsync(["get", "secrets", "-n", cluster.Namespace, "-l", "twisterlab.dev/journal=true,twisterlab.dev/state=running", "-o", "name"]);
        Assert.Equal("secret/twisterlab-run-20261202-100000000-aaaa", running.StdOut.Trim());

        var copy = await journals.ReadAsync("20261202-100000000-aaaa", None);
        Assert.NotNull(copy);
        Assert.Equal("{\"entries\":[1,2]}", Encoding.UTF8.GetString(copy.Journal));
        Assert.Equal(("RollingUpgrade", "ci@runner-7", started), (copy.Target, copy.Host, copy.Started));
        Assert.True(copy.Unfinished);
        Assert.Null(await journals.ReadAsync("20261202-120000000-cccc", None));
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_finished_journals_and_every_unfinished_one()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var journals = cluster.Gateway.RunJournals;
        var ids = Enumerable.Range(10, 6).Select(minute => $"20261202-10{minute}00000-abcd").ToList();
        foreach (var (id, index) in ids.Select((id, index) => (id, index)))
        {
            await journals.WriteAsync(new RunJournalCopy(id, "SetImage", index == 0 ? RunJournalSecrets.Running : "succeeded", null, null, "{}"u8.ToArray()), None);
        }

        var deleted = await journals.PruneAsync(keep: 3, None);

        Assert.Equal(ids[1..3], deleted);
        Assert.Equal([ids[0], .. ids[3..]], (await journals.ListAsync(None)).Select(copy => copy.RunId));
    }
}
