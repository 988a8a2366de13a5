using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// One step of the guide. Besides doing its work (RunAsync), a step says what it would do (Plan): the commands an
/// operator knows. A dry run prints the plan and runs nothing.
/// </summary>
public abstract class DeployStep : AsyncFrostingTask<DeployContext>, IDryRunnable
{
    protected string Name => TaskCatalog.NameOf(GetType());

    /// <summary>What this step would do with these settings, one command line per action, touching nothing.</summary>
    public abstract IEnumerable<string> Plan(DeployContext context);

    /// <summary>The step's work. Record each change's undo (context.Record) before making the change.</summary>
    protected abstract Task ExecuteAsync(DeployContext context);

    /// <summary>
    /// Scales a deployment after recording how to scale it back; returns the replicas it had (a Deployment without
    /// spec.replicas has one, Kubernetes' default).
    /// </summary>
    protected async Task<int> ScaleRecordedAsync(DeployContext context, string deployment, int replicas)
    {
        var deployments = context.Cluster.Deployments;
        var before = (await deployments.GetAsync(deployment, context.CancellationToken)).Spec.Replicas ?? 1;
        context.Record(Name, new ScaleBack(deployment, context.Settings.Namespace, before));
        await deployments.ScaleAsync(deployment, replicas, context.CancellationToken);
        return before;
    }

    public sealed override async Task RunAsync(DeployContext context)
    {
        try
        {
            await ExecuteAsync(context);
        }
        catch
        {
            // A step that tripped over a damaged input before its first change reports the input, as the run's start would have.
            context.EnsureInputsChecked();
            throw;
        }

        // A step that changed nothing still ends only once the run's inputs are known to be sound.
        context.EnsureInputsChecked();
        // Rehearsals and tests prove the rollback at every step by failing it here, after its changes.
        if (string.Equals(context.Settings.InjectFailureAt, Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Name}: failure injected by --inject-failure={Name}");
        }
    }

    public Task DryRunAsync(ICakeContext context)
    {
        var deploy = (DeployContext)context;
        foreach (var action in Plan(deploy))
        {
            var redacted = deploy.Redactor.Redact(action);
            deploy.Plan.Add(Name, redacted);
            deploy.Log.Information("  would: {0}", redacted);
        }

        return Task.CompletedTask;
    }
}
