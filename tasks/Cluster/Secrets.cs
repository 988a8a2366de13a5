using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>One key of a Secret (DATABASE_URL). Values are never put in messages, descriptions or logs.</summary>
public sealed class Secrets
{
    private readonly ClusterScope _scope;

    internal Secrets(ClusterScope scope) => _scope = scope;

    private string Where(string name) => $"secret/{name} in namespace {_scope.Namespace}";

    /// <summary>The decoded value of the key, null when the secret has no such key.</summary>
    public async Task<string?> ReadKeyAsync(string name, string key, CancellationToken cancellationToken)
    {
        var secret = await _scope.Api.CallAsync($"get {Where(name)}", token => _scope.Client.CoreV1.ReadNamespacedSecretAsync(name, _scope.Namespace, cancellationToken: token), cancellationToken);
        if (secret.Data?.TryGetValue(key, out var bytes) == true)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return secret.StringData.Get(key);
    }

    public string DescribeSetKey(string name, string key) => CommandSetKey(name, key, "").ToString();

    /// <summary>The kubectl patch; its -p argument carries the value but renders masked.</summary>
    public KubectlCommand CommandSetKey(string name, string key, string value) =>
        _scope.Kubectl.Namespaced("patch", $"secret/{name}", "-p", new KubectlArgument(DataPatch(key, value), $"{{\"data\":{{\"{key}\":\"***\"}}}}"));

    /// <summary>Sets one key (merge patch of data.key, base64). Returns its previous value (null = the key was absent).</summary>
    public async Task<string?> SetKeyAsync(string name, string key, string value, CancellationToken cancellationToken)
    {
        var previous = await ReadKeyAsync(name, key, cancellationToken);
        if (previous != value)
        {
            await PatchAsync(name, DataPatch(key, value), $"set key {key} of {Where(name)}", cancellationToken);
        }

        return previous;
    }

    public string DescribeRemoveKey(string name, string key) =>
        _scope.Kubectl.Namespaced("patch", $"secret/{name}", "--type=merge", "-p", $"{{\"data\":{{\"{key}\":null}}}}").ToString();

    /// <summary>Removes one key (the undo of adding it). Idempotent.</summary>
    public Task RemoveKeyAsync(string name, string key, CancellationToken cancellationToken) =>
        PatchAsync(name, new JsonObject { ["data"] = new JsonObject { [key] = null } }.ToJsonString(), $"remove key {key} of {Where(name)}", cancellationToken);

    private Task PatchAsync(string name, string patch, string what, CancellationToken cancellationToken) =>
        _scope.Api.CallAsync(what, token => _scope.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(patch, V1Patch.PatchType.MergePatch), name, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);

    private static string DataPatch(string key, string value) =>
        new JsonObject { ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) } }.ToJsonString();
}
