using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>
/// Given: a "production" database with personal data and a "staging" one with older content.
/// When: staging is refreshed from production with anonymization rules.
/// Then: staging holds production's rows in anonymized form, production is untouched, and a refresh that fails part
/// way leaves staging exactly as it was (one transaction).
/// </summary>
public sealed class AnonymizedRefreshTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly IReadOnlyList<AnonymizationRule> Rules = AnonymizationRule.ParseList(["agents.name:name,tickets.body:text", "public.tickets.score:null"]);

    [Fact]
    public async Task Copies_every_row_with_the_personal_columns_anonymized_and_leaves_the_source_as_it_was()
    {
        var (production, staging) = await DatabasesAsync();
        var source = await IntegritySnapshotter.TakeAsync(production);

        var result = await AnonymizedRefresh.RefreshAsync(production, staging, Rules, CancellationToken.None);

        Assert.Equal(2000, result.Rows["public.tickets"]);
        Assert.Equal(2000L, await PostgresFixture.ScalarAsync<long>(staging, "SELECT count(*) FROM tickets"));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(staging, "SELECT count(*) FROM agents WHERE name LIKE 'agent-%' OR name !~ '^name-[0-9a-f]{32}$'"));
        Assert.Equal(50L, await PostgresFixture.ScalarAsync<long>(staging, "SELECT count(DISTINCT name) FROM agents"));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(staging, "SELECT count(*) FROM tickets WHERE body ~ '[^x ]' OR score IS NOT NULL"));
        Assert.Equal(await PostgresFixture.ScalarAsync<long>(production, "SELECT sum(length(body)) FROM tickets"), await PostgresFixture.ScalarAsync<long>(staging, "SELECT sum(length(body)) FROM tickets"));
        Assert.Empty(source.CompareTo(await IntegritySnapshotter.TakeAsync(production)));
        Assert.Equal(source.Tables.Select(table => table.Checksum), (await IntegritySnapshotter.TakeAsync(production)).Tables.Select(table => table.Checksum));
    }

    [Fact]
    public async Task A_refresh_that_fails_in_its_anonymization_leaves_staging_exactly_as_it_was()
    {
        var (production, staging) = await DatabasesAsync();
        // The copy's own constraint refuses the anonymized names: the UPDATE fails after the whole dump was loaded.
        await PostgresFixture.ExecuteAsync(production, "ALTER TABLE agents ADD CONSTRAINT agents_named_like_agents CHECK (name LIKE 'agent-%')");
        var before = await IntegritySnapshotter.TakeAsync(staging);

        var error = await Assert.ThrowsAsync<DataOperationException>(() => AnonymizedRefresh.RefreshAsync(production, staging, Rules, CancellationToken.None));

        Assert.Contains("psql failed", error.Message);
        Assert.Contains("agents_named_like_agents", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("agent-1", error.Message); // psql's DETAIL line would name the failing row's personal data
        var after = await IntegritySnapshotter.TakeAsync(staging);
        Assert.Empty(before.CompareTo(after));
        Assert.Equal(before.Tables.Select(table => table.Checksum), after.Tables.Select(table => table.Checksum));
    }

    [Theory]
    [InlineData("users.email:email", "column public.users.email does not exist")]
    [InlineData("tickets.score:email", "column public.tickets.score is double precision, not text")]
    [InlineData("agents.name:null", "column public.agents.name is NOT NULL")]
    public async Task Rules_that_cannot_apply_are_named_before_anything_is_copied(string rule, string expected)
    {
        var (production, staging) = await DatabasesAsync();
        var before = await IntegritySnapshotter.TakeAsync(staging);

        var error = await Assert.ThrowsAsync<DataOperationException>(() => AnonymizedRefresh.RefreshAsync(production, staging, AnonymizationRule.ParseList([rule]), CancellationToken.None));

        Assert.Contains(expected, error.Message);
        Assert.Empty(before.CompareTo(await IntegritySnapshotter.TakeAsync(staging)));
    }

    [Theory]
    [InlineData("users.email", "is not an anonymization rule")]
    [InlineData("users.email:hash", "is not an anonymization rule")]
    [InlineData("a.b.c.d:name", "is not an anonymization rule")]
    public void Malformed_rules_are_refused_in_one_line(string rule, string expected)
    {
        Assert.Null(AnonymizationRule.TryParse(rule, out var problem));
        Assert.Contains(expected, problem);
    }

    private async Task<(PostgresTarget Production, PostgresTarget Staging)> DatabasesAsync()
    {
        var production = await postgres.CreateDatabaseAsync("prod");
        await PostgresFixture.ExecuteAsync(production, SampleSchema.Sql);
        var staging = await postgres.CreateDatabaseAsync("staging");
        await PostgresFixture.ExecuteAsync(staging, """
            CREATE TABLE agents (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO agents (name) VALUES ('stale staging agent');
            """);
        return (production, staging);
    }
}
