using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// ControllerRevisions of DaemonSets and StatefulSets (pkg/controller/history, pkg/controller/daemon/update.go):
/// one revision per pod template, named owner-hash, labelled with the template's labels and
/// controller.kubernetes.io/hash, holding the patch kubectl rollout undo applies
/// ({"spec":{"template":{…,"$patch":"replace"}}}). Going back to an older template re-uses its revision with
/// the next number, as upstream does; revisions beyond revisionHistoryLimit that no pod uses are deleted.
/// </summary>
internal static class ControllerHistory
{
    public const string HashLabel = "controller.kubernetes.io/hash";

    /// <summary>The revision of the owner's current template (created or renumbered as needed) and its hash.</summary>
    public static (string Name, string Hash) Current(Registry registry, JsonObject owner, IReadOnlyCollection<string> revisionsInUse)
    {
        var ns = Owners.Namespace(owner);
        var template = Json.Walk(owner, "spec", "template") as JsonObject ?? new JsonObject();
        var hash = DeploymentMath.PodTemplateHash(template, 0);
        var name = $"{Owners.Name(owner)}-{hash}";
        var history = registry.Store.List(ResourceCatalog.ControllerRevisions, ns).Items.Where(r => Owners.IsControlledBy(r, owner)).ToList();
        var max = history.Select(r => Json.Long(r, "revision") ?? 0).DefaultIfEmpty(0).Max();
        var existing = history.FirstOrDefault(r => Owners.Name(r) == name);
        if (existing is null)
        {
            var templateCopy = (JsonObject)template.DeepClone();
            templateCopy["$patch"] = "replace";
            var labels = (Json.Walk(template, "metadata", "labels") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
            labels[HashLabel] = hash;
            registry.Create(ResourceCatalog.ControllerRevisions, ns, new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ControllerRevision",
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels, ["ownerReferences"] = Owners.ControllerReference(owner) },
                ["data"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = templateCopy } },
                ["revision"] = max + 1,
            });
            history = registry.Store.List(ResourceCatalog.ControllerRevisions, ns).Items.Where(r => Owners.IsControlledBy(r, owner)).ToList();
        }
        else if ((Json.Long(existing, "revision") ?? 0) < max)
            registry.Store.Mutate(ResourceCatalog.ControllerRevisions, ns, name, r =>
            {
                r["revision"] = max + 1;
                return r;
            });

        var limit = Json.Int(owner, 10, "spec", "revisionHistoryLimit");
        var old = history.Where(r => Owners.Name(r) != name && !revisionsInUse.Contains(Owners.Name(r)) && !revisionsInUse.Contains(LabelSelector.Labels(r).GetValueOrDefault(HashLabel) ?? ""))
            .OrderBy(r => Json.Long(r, "revision") ?? 0).ToList();
        foreach (var r in old.Take(Math.Max(0, old.Count - limit)))
            registry.Delete(ResourceCatalog.ControllerRevisions, ns, Owners.Name(r), null);
        return (name, hash);
    }
}
