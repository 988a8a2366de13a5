using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cluster.Tests;

/// <summary>The facts psql reports from the pod: read among pg_dump's own stderr lines, and a cut-short reply refused.</summary>
public sealed class InPodFactsTests
{
    private const string Complete = """
        pg_dump: warning: there are circular foreign-key constraints on this table:
        twisterlab-fact	version	15.18
        twisterlab-fact	alembic	0001_initial
        twisterlab-fact	rows	public.Tickets	20000
        twisterlab-fact	rows	public.agents	50
        twisterlab-fact	end	2
        """;

    [Fact]
    public void Reads_the_tagged_lines_and_ignores_the_rest()
    {
        var facts = InPodFacts.Parse(Complete, "deployment/postgres");

        Assert.Equal("15.18", facts.ServerVersion);
        Assert.Equal("0001_initial", facts.AlembicRevision);
        Assert.Equal(new Dictionary<string, long> { ["public.Tickets"] = 20000, ["public.agents"] = 50 }, facts.TableRows);
    }

    [Fact]
    public void An_empty_alembic_revision_means_none()
    {
        var facts = InPodFacts.Parse("twisterlab-fact\tversion\t16.1\ntwisterlab-fact\talembic\t\ntwisterlab-fact\tend\t0\n", "x");

        Assert.Null(facts.AlembicRevision);
        Assert.Empty(facts.TableRows);
    }

    [Theory]
    [InlineData("twisterlab-fact\tend\t2")]                 // a table line lost
    [InlineData("twisterlab-fact\trows\tpublic.agents\t50")] // the end line lost (cut short)
    public void A_reply_cut_short_is_refused_in_one_line(string dropped)
    {
        var exception = Assert.Throws<DataOperationException>(() => InPodFacts.Parse(Complete.Replace(dropped, ""), "deployment/postgres in namespace t"));

        Assert.Contains("incomplete", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
    }
}
