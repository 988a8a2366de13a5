using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Cluster;

// The undo records of cluster changes: plain data for the run journal. Describe() is the kubectl command of the undo.

/// <summary>
/// Undo of a set image / apply / restart: roll the deployment back to the revision read before the change. With
/// <paramref name="Schema"/> (an image change), the image of that revision must first know the database's schema
/// revision (see <see cref="SchemaGate"/>).
/// </summary>
public sealed record UndoToRevision(string Deployment, string Namespace, long Revision, SchemaCheck? Schema = null) : Compensation
{
    public override string Describe() => new Kubectl(null, Namespace).Namespaced("rollout", "undo", $"deployment/{Deployment}", $"--to-revision={Revision}").ToString();
}

/// <summary>Undo of a scale: put the previous replica count back.</summary>
public sealed record ScaleBack(string Deployment, string Namespace, int Replicas) : Compensation
{
    public override string Describe() => new Kubectl(null, Namespace).Namespaced("scale", $"deployment/{Deployment}", $"--replicas={Replicas}").ToString();
}

/// <summary>Undo of a traffic switch: the whole previous selector, restored exactly.</summary>
public sealed record RestoreServiceSelector(string Service, string Namespace, IReadOnlyDictionary<string, string> Selector) : Compensation
{
    public override string Describe() =>
        new Kubectl(null, Namespace).Namespaced("patch", $"svc/{Service}", "--type=json", "-p",
            $"[{{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{System.Text.Json.JsonSerializer.Serialize(Selector.OrderBy(p => p.Key).ToDictionary())}}}]").ToString();
}

/// <summary>
/// Undo of a secret key change. The previous value is never in the journal in plain text:
/// <see cref="PreviousValueProtected"/> is AES-GCM ciphertext under the run's key, which <see cref="SecretStash"/>
/// keeps in a separate 0600 file beside the journal. Null = the key did not exist (the undo removes it).
/// </summary>
public sealed record RestoreSecretKey(string Secret, string Namespace, string Key, string? PreviousValueProtected) : Compensation
{
    public override string Describe() =>
        PreviousValueProtected is null
            ? new Kubectl(null, Namespace).Namespaced("patch", $"secret/{Secret}", "--type=merge", "-p", $"{{\"data\":{{\"{Key}\":null}}}}").ToString()
            : new Kubectl(null, Namespace).Namespaced("patch", $"secret/{Secret}", "-p", $"{{\"data\":{{\"{Key}\":\"***\"}}}}").ToString();
}

/// <summary>Undo of creating a deployment (e.g. the green one of a blue-green deploy).</summary>
public sealed record DeleteDeployment(string Deployment, string Namespace) : Compensation
{
    public override string Describe() => new Kubectl(null, Namespace).Namespaced("delete", $"deployment/{Deployment}").ToString();
}

/// <summary>Undo of an apply that created an object (e.g. the maintenance page's Service and Deployment).</summary>
public sealed record DeleteCreatedObject(string Kind, string? Namespace, string Name) : Compensation
{
    public override string Describe() =>
        Namespace is null
            ? $"kubectl delete {Kind.ToLowerInvariant()}/{Name} --ignore-not-found"
            : new Kubectl(null, Namespace).Namespaced("delete", $"{Kind.ToLowerInvariant()}/{Name}", "--ignore-not-found").ToString();
}

/// <summary>Undo of a cordon or drain of a node that was schedulable before.</summary>
public sealed record Uncordon(string Node) : Compensation
{
    public override string Describe() => $"kubectl uncordon {Node}";
}
