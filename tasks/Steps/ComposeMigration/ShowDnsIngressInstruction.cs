using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// The guide's DNS/Ingress step is for a person (a DNS record or /etc/hosts this tool does not own): it is printed and
/// put in the report's notes, never done.
/// </summary>
[TaskDescription("Guide step 5: point edgeserver.twisterlab.local to the Kubernetes Ingress (update /etc/hosts or DNS records) — printed as an instruction, never done.")]
public sealed class ShowDnsIngressInstruction : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"# for you: {Instruction(context)}";
    }

    protected override Task ExecuteAsync(DeployContext context)
    {
        context.Notes.Add($"To do by hand: {Instruction(context)}");
        context.Log.Warning("To do by hand: {0}", Instruction(context));
        return Task.CompletedTask;
    }

    private static string Instruction(DeployContext context)
    {
        var host = Uri.TryCreate(context.Settings.Profile.BaseUrl, UriKind.Absolute, out var url) ? url.Host : context.Settings.Profile.BaseUrl;
        // The health check that follows reads this host: until it points at Kubernetes, that check would reach Compose.
        return $"point {host} to the Kubernetes Ingress of namespace {context.Settings.Namespace} (update /etc/hosts or the DNS records); this tool does not change DNS. " +
               $"Until then, give the health check a Kubernetes address: --api-url=http://<a node>:<nodePort> (it reads {context.HealthUrl}).";
    }
}
