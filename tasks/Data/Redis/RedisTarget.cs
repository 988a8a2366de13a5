using StackExchange.Redis;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Where a Redis server is: <c>host:port</c>, a StackExchange.Redis configuration string
/// (<c>host:port,password=…</c>) or a URL <c>redis://[:password@]host:port[/db]</c>. <see cref="ToString"/> hides the password.
/// </summary>
public sealed record RedisTarget(string Configuration)
{
    public ConfigurationOptions ToOptions()
    {
        ConfigurationOptions options;
        if (Configuration.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || Configuration.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(Configuration, UriKind.Absolute, out var uri))
                throw new DataOperationException($"Redis URL '{SecretRedactor.Redact(Configuration)}' is not valid: use redis://:password@host:6379/0.");
            options = new ConfigurationOptions { EndPoints = { { uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port } }, Ssl = uri.Scheme == "rediss" };
            var userInfo = uri.UserInfo.Split(':', 2);
            if (userInfo.Length == 2) options.Password = Uri.UnescapeDataString(userInfo[1]);
            if (userInfo[0].Length > 0) options.User = Uri.UnescapeDataString(userInfo[0]);
        }
        else
        {
            try
            {
                options = ConfigurationOptions.Parse(Configuration);
            }
            catch (ArgumentException ex)
            {
                throw new DataOperationException($"Redis address '{SecretRedactor.Redact(Configuration)}' is not valid: use host:port or redis://:password@host:port.", ex);
            }
        }
        if (options.EndPoints.Count == 0)
            throw new DataOperationException("Redis address has no host: use host:port or redis://:password@host:port.");
        options.AllowAdmin = true; // SAVE, CONFIG GET and LASTSAVE are admin commands.
        options.AbortOnConnectFail = true;
        if (!Configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase)) options.ConnectTimeout = 3000;
        options.SyncTimeout = 60_000; // a foreground SAVE of a large dataset takes a while
        options.AsyncTimeout = 60_000;
        return options;
    }

    public override string ToString() => SecretRedactor.Redact(Configuration);
}
