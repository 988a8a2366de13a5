using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Tests;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("postgresql+asyncpg://twisterlab:pass@postgres-16:5432/twisterlab", "postgresql+asyncpg://twisterlab:***@postgres-16:5432/twisterlab")]
    [InlineData("redis://:s3cret@redis:6379/0", "redis://:***@redis:6379/0")]
    [InlineData("Host=db;Username=u;Password=hunter2;Database=x", "Host=db;Username=u;Password=***;Database=x")]
    [InlineData("kubectl get pods -n twisterlab", "kubectl get pods -n twisterlab")]
    [InlineData("api token=abc123; next", "api token=***; next")]
    public void Masks_passwords_in_urls_and_connection_strings(string text, string expected) =>
        Assert.Equal(expected, new SecretRedactor().Redact(text));

    [Fact]
    public void Masks_every_value_it_was_told_is_secret()
    {
        var redactor = new SecretRedactor();
        redactor.Add("tok-123456");

        Assert.Equal("header: Bearer ***, again ***", redactor.Redact("header: Bearer tok-123456, again tok-123456"));
    }

    [Fact]
    public void A_secret_argument_never_reaches_the_log_or_the_report()
    {
        using var world = new DemoWorld();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            world.Run("--target=DemoChain", "--demo-token=tok-abcdef123", "--verbosity=diagnostic", "--fail-at=WriteB");
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.DoesNotContain("tok-abcdef123", output.ToString());
        foreach (var file in Directory.GetFiles(world.RunsFolder, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("tok-abcdef123", File.ReadAllText(file));
        }
    }
}
