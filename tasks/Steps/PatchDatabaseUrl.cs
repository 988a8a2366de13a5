using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// Points the application's DATABASE_URL somewhere else (kubectl patch secret). Undo, in this order when replayed:
/// the previous value back (sealed in the journal), then a rollout restart of the API so its pods read it again.
/// </summary>
public abstract class PatchDatabaseUrl : DeployStep, IHasLivePreconditions
{
    public const string Key = "DATABASE_URL";

    /// <summary>The new value, from the current one; null when it cannot be derived (the reason goes in the error).</summary>
    protected abstract string? NewValue(DeployContext context, string current);

    /// <summary>What the new value points at, for the plan and the log (never the value: it holds a password).</summary>
    protected abstract string Describe(DeployContext context);

    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        yield return context.Kubectl.Namespaced("get", $"secret/{context.Settings.AppSecret}").ToString() + $"   # must have {Key}";
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        var secret = context.Settings.AppSecret;
        try
        {
            var current = await context.Cluster.Secrets.ReadKeyAsync(secret, Key, context.CancellationToken);
            return current switch
            {
                null => [$"secret/{secret} has no {Key} key (is --secret right?)"],
                _ when NewValue(context, current) is null => [$"the {Key} of secret/{secret} is not a URL with a host (scheme://user:pass@host:port/db)"],
                _ => [],
            };
        }
        catch (ClusterException exception) when (exception.StatusCode == 404)
        {
            return [$"secret/{secret} does not exist in namespace {context.Settings.Namespace} (pass --secret=<name>)"];
        }
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{context.Cluster.Secrets.DescribeSetKey(context.Settings.AppSecret, Key)}   # {Describe(context)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var secrets = context.Cluster.Secrets;
        var secret = context.Settings.AppSecret;
        var current = await secrets.ReadKeyAsync(secret, Key, context.CancellationToken)
            ?? throw new InvalidOperationException($"secret/{secret} has no {Key} key any more.");
        var value = NewValue(context, current) ?? throw new InvalidOperationException($"The {Key} of secret/{secret} is not a URL with a host.");
        context.Redactor.Add(value);
        context.Record(Name, new RestartDeployment(context.Deployment, context.Settings.Namespace, context.Settings.RolloutTimeout));
        context.Record(Name, new RestoreSecretKey(secret, context.Settings.Namespace, Key, context.SecretStash.Protect(current)));
        await secrets.SetKeyAsync(secret, Key, value, context.CancellationToken);
        context.Log.Information("{0} of secret/{1}: {2}.", Key, secret, Describe(context));
    }
}
