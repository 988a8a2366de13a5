using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The garbage collector (background propagation: dependents whose owners are all gone are deleted) and the
/// namespace controller (a terminating namespace deletes its content, then goes away itself).
/// </summary>
internal sealed class GarbageCollector(Registry registry)
{
    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var everything = ResourceCatalog.All.SelectMany(t => Store.List(t, null).Items.Select(o => (Type: t, Obj: o))).ToList();
        var uids = everything.Select(e => Json.Str(e.Obj, "metadata", "uid")).ToHashSet();
        foreach (var (type, obj) in everything)
        {
            if (Json.Walk(obj, "metadata", "ownerReferences") is not JsonArray { Count: > 0 } owners) continue;
            if (owners.Any(o => uids.Contains(Json.Str(o, "uid"))) || Owners.IsTerminating(obj)) continue;
            TryDelete(type, obj);
        }
        foreach (var (type, owner) in everything.Where(e => Owners.IsTerminating(e.Obj) && HasFinalizer(e.Obj, Registry.ForegroundFinalizer)))
        {
            var uid = Json.Str(owner, "metadata", "uid");
            var dependents = everything.Where(e => (Json.Walk(e.Obj, "metadata", "ownerReferences") as JsonArray)?
                .Any(r => Json.Str(r, "uid") == uid) == true).ToList();
            foreach (var (dependentType, dependent) in dependents.Where(d => !Owners.IsTerminating(d.Obj)))
                TryDelete(dependentType, dependent, "Foreground");
            if (dependents.Count == 0)
            {
                try { registry.RemoveFinalizer(type, Owners.Namespace(owner), Owners.Name(owner), Registry.ForegroundFinalizer); }
                catch (ApiException) { }
            }
        }
        foreach (var ns in Store.List(ResourceCatalog.Namespaces, null).Items.Where(Owners.IsTerminating))
        {
            var name = Owners.Name(ns);
            var content = everything.Where(e => e.Type.Namespaced && Owners.Namespace(e.Obj) == name).ToList();
            foreach (var (type, obj) in content.Where(e => !Owners.IsTerminating(e.Obj))) TryDelete(type, obj);
            if (content.Count == 0) Store.Remove(ResourceCatalog.Namespaces, null, name, Json.Str(ns, "metadata", "uid"));
        }
    }

    static bool HasFinalizer(JsonObject obj, string finalizer) =>
        (Json.Walk(obj, "metadata", "finalizers") as JsonArray)?.Any(f => f?.ToString() == finalizer) == true;

    void TryDelete(ResourceType type, JsonObject obj, string policy = "Background")
    {
        try { registry.Delete(type, Owners.Namespace(obj), Owners.Name(obj), new JsonObject { ["propagationPolicy"] = policy }); }
        catch (ApiException) { /* already gone */ }
    }
}
