using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

public sealed class TargetAndRedactionTests
{
    [Theory]
    [InlineData("postgresql+asyncpg://twisterlab:pa%40ss@postgres-16:5432/twisterlab")]
    [InlineData("postgresql://twisterlab:pa%40ss@postgres-16/twisterlab")]
    [InlineData("Host=postgres-16;Port=5432;Username=twisterlab;Password=pa@ss;Database=twisterlab")]
    public void Url_and_connection_string_forms_mean_the_same_target(string text)
    {
        var target = PostgresTarget.Parse(text);
        Assert.Equal(("postgres-16", 5432, "twisterlab", "twisterlab", "pa@ss"), (target.Host, target.Port, target.Username, target.Database, target.Password));
        Assert.DoesNotContain("pa@ss", target.ToString());
    }

    [Theory]
    [InlineData("mysql://u:p@h/db")]
    [InlineData("")]
    [InlineData("Host=h;Bogus Key=1")]
    public void Bad_addresses_get_one_line_without_the_secret(string text)
    {
        var error = Assert.Throws<DataOperationException>(() => PostgresTarget.Parse(text));
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(":p@", error.Message);
    }

    [Theory]
    [InlineData("postgresql+asyncpg://twisterlab:pass@postgres-16:5432/twisterlab", "postgresql+asyncpg://twisterlab:***@postgres-16:5432/twisterlab")]
    [InlineData("Host=h;Password=abc;Username=u", "Host=h;Password=***;Username=u")]
    [InlineData("failed for redis://:topsecret@r:6379 and pwd='x y'", "failed for redis://:***@r:6379 and pwd=***")]
    public void Redactor_masks_passwords_in_urls_and_key_values(string input, string expected) =>
        Assert.Equal(expected, SecretRedactor.Redact(input));

    [Fact]
    public void Redis_url_and_configuration_forms_parse_and_hide_the_password()
    {
        var url = new RedisTarget("redis://:s3cret@cache.local:6380/0").ToOptions();
        Assert.Equal(("s3cret", "cache.local:6380"), (url.Password, url.EndPoints[0].ToString()!.Replace("Unspecified/", "")));
        Assert.True(url.AllowAdmin);
        Assert.Equal("redis://:***@cache.local:6380/0", new RedisTarget("redis://:s3cret@cache.local:6380/0").ToString());
        Assert.Equal("cache.local:6380,password=***", new RedisTarget("cache.local:6380,password=s3cret").ToString());
    }
}
