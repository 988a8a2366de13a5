using TwisterLab.Cake.Safety;

namespace TwisterLab.Cluster.Tests;

public sealed class SecretStashTests
{
    [Fact]
    public void Round_trips_a_value_and_keeps_the_key_in_an_owner_only_file()
    {
        var folder = Directory.CreateTempSubdirectory("run-").FullName;
        var stash = new SecretStash(folder);

        var sealedValue = stash.Protect("postgresql://app:s3cret@pg/db");

        Assert.DoesNotContain("s3cret", sealedValue);
        Assert.Equal("postgresql://app:s3cret@pg/db", new SecretStash(folder).Unprotect(sealedValue));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stash.KeyPath));
        }
    }

    [Fact]
    public void Two_protections_of_one_value_differ_and_another_run_s_key_cannot_open_them()
    {
        var stash = new SecretStash(Directory.CreateTempSubdirectory("run-").FullName);
        var first = stash.Protect("same");
        Assert.NotEqual(first, stash.Protect("same"));

        var other = new SecretStash(Directory.CreateTempSubdirectory("run-").FullName);
        other.Protect("creates its own key");
        Assert.Throws<InvalidDataException>(() => other.Unprotect(first));
    }

    [Fact]
    public void Forgetting_the_key_makes_the_values_unrecoverable_with_a_clear_message()
    {
        var stash = new SecretStash(Directory.CreateTempSubdirectory("run-").FullName);
        var sealedValue = stash.Protect("x-value");
        stash.Forget();
        var exception = Assert.Throws<InvalidDataException>(() => stash.Unprotect(sealedValue));
        Assert.Contains("by hand", exception.Message);
    }
}
