using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Store;

/// <summary>
/// The cluster's etcd: every object of every kind under one lock, one global resourceVersion counter, and a bounded
/// history of events so that watches can resume from a resourceVersion. Critical sections are short and never wait
/// on a client: watchers receive events through non-blocking channel writes.
/// Stored objects are frozen; callers get them read-only and clone before changing anything.
/// </summary>
internal sealed class ObjectStore
{
    const int HistoryLimit = 10_000;
    const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    readonly object gate = new();
    readonly Dictionary<ResourceType, SortedDictionary<string, JsonObject>> objects = new();
    readonly Queue<StoredEvent> history = new();
    readonly List<Watcher> watchers = [];
    long resourceVersion = 1;
    long oldestRetainedVersion = 1;

    /// <summary>Raised after every committed change, outside the lock (wakes the controllers).</summary>
    public event Action? Changed;

    public long CurrentVersion
    {
        get { lock (gate) return resourceVersion; }
    }

    static string Key(string? ns, string name) => $"{ns}/{name}";

    SortedDictionary<string, JsonObject> Bucket(ResourceType type)
    {
        if (!objects.TryGetValue(type, out var bucket))
            objects[type] = bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        return bucket;
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (gate) return Bucket(type).GetValueOrDefault(Key(ns, name));
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ResourceType type, string? ns)
    {
        lock (gate)
        {
            var items = Bucket(type).Values
                .Where(o => ns is null || Json.Str(o, "metadata", "namespace") == ns)
                .ToList();
            return (items, resourceVersion);
        }
    }

    /// <summary>
    /// Stores a new object: fills uid (or takes the one the registry chose first, for a Job whose generated selector
    /// names it), resourceVersion, creationTimestamp and a generated name.
    /// </summary>
    public JsonObject Create(ResourceType type, JsonObject obj, bool dryRun = false, string? uid = null)
    {
        JsonObject stored;
        lock (gate)
        {
            var meta = Json.Obj(obj, "metadata");
            var ns = type.Namespaced ? Json.Str(meta, "namespace") : null;
            var bucket = Bucket(type);
            var name = Json.Str(meta, "name");
            if (string.IsNullOrEmpty(name))
            {
                var prefix = Json.Str(meta, "generateName");
                if (string.IsNullOrEmpty(prefix))
                    throw ApiException.Invalid(type, "", ("metadata.name", "name or generateName is required"));
                do name = prefix + RandomSuffix(5);
                while (bucket.ContainsKey(Key(ns, name)));
                meta["name"] = name;
            }
            if (bucket.ContainsKey(Key(ns, name))) throw ApiException.AlreadyExists(type, name);
            meta["uid"] = uid ?? Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Json.Timestamp(DateTime.UtcNow);
            meta.Remove("resourceVersion");
            if (dryRun) return obj;
            meta["resourceVersion"] = (++resourceVersion).ToString();
            stored = Json.Materialize(obj);
            bucket[Key(ns, name)] = stored;
            Publish(new StoredEvent("ADDED", type, stored, null, resourceVersion));
        }
        Changed?.Invoke();
        return stored;
    }

    /// <summary>
    /// Atomic read-modify-write. <paramref name="change"/> receives a private copy of the current object and returns
    /// the new one (or throws an ApiException). A change that leaves the object equal is not written, as in the apiserver.
    /// </summary>
    public JsonObject Mutate(ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> change, bool dryRun = false)
    {
        JsonObject result;
        var changed = false;
        lock (gate)
        {
            var bucket = Bucket(type);
            if (!bucket.TryGetValue(Key(ns, name), out var current)) throw ApiException.NotFound(type, name);
            var next = change(Json.Clone(current));
            var meta = Json.Obj(next, "metadata");
            meta["name"] = name;
            if (type.Namespaced) meta["namespace"] = ns;
            meta["uid"] = Json.Str(current, "metadata", "uid");
            meta["creationTimestamp"] = Json.Str(current, "metadata", "creationTimestamp");
            meta["resourceVersion"] = Json.Str(current, "metadata", "resourceVersion");
            if (JsonNode.DeepEquals(next, current) || dryRun)
            {
                result = dryRun ? next : current;
            }
            else
            {
                meta["resourceVersion"] = (++resourceVersion).ToString();
                result = Json.Materialize(next);
                bucket[Key(ns, name)] = result;
                Publish(new StoredEvent("MODIFIED", type, result, current, resourceVersion));
                changed = true;
            }
        }
        if (changed) Changed?.Invoke();
        return result;
    }

    /// <summary>Removes an object for good. With <paramref name="expectedUid"/> only that incarnation is removed.</summary>
    public JsonObject? Remove(ResourceType type, string? ns, string name, string? expectedUid = null, bool dryRun = false)
    {
        JsonObject? removed;
        lock (gate)
        {
            var bucket = Bucket(type);
            if (!bucket.TryGetValue(Key(ns, name), out var current)) return null;
            if (expectedUid is not null && Json.Str(current, "metadata", "uid") != expectedUid) return null;
            if (dryRun) return current;
            bucket.Remove(Key(ns, name));
            // The apiserver stamps the deletion's resourceVersion on the object of the DELETED event.
            removed = Json.Clone(current);
            Json.Obj(removed, "metadata")["resourceVersion"] = (++resourceVersion).ToString();
            Json.Materialize(removed);
            Publish(new StoredEvent("DELETED", type, removed, current, resourceVersion));
        }
        Changed?.Invoke();
        return removed;
    }

    /// <summary>
    /// Opens a watch. Without a resourceVersion (or "0") the watcher first gets ADDED for every current match;
    /// with one it gets every later event still in the history, or 410 Expired when that is too old.
    /// </summary>
    public Watcher Watch(ResourceType type, string? ns, Func<JsonObject, bool> matches, string? fromVersion)
    {
        lock (gate)
        {
            var watcher = new Watcher(type, ns, matches, w => { lock (gate) watchers.Remove(w); });
            if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
            {
                foreach (var obj in Bucket(type).Values)
                    if ((ns is null || Json.Str(obj, "metadata", "namespace") == ns) && matches(obj))
                        watcher.Push(new WatchLine("ADDED", new StoredEvent("ADDED", type, obj, null, resourceVersion)));
            }
            else
            {
                if (!long.TryParse(fromVersion, out var from))
                    throw ApiException.BadRequest($"invalid resourceVersion \"{fromVersion}\"");
                if (from < oldestRetainedVersion - 1)
                    throw ApiException.Gone($"too old resource version: {from} ({oldestRetainedVersion})");
                foreach (var e in history)
                    if (e.ResourceVersion > from) watcher.Offer(e);
            }
            watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>Closes every open watch (fault injection: "active watches drop").</summary>
    public int DropAllWatches()
    {
        Watcher[] open;
        lock (gate) open = watchers.ToArray();
        foreach (var w in open) w.Close();
        return open.Length;
    }

    /// <summary>
    /// The resourceVersion a BOOKMARK may carry: the current one, but only when the watcher has nothing pending
    /// (checked under the lock, so no event at or below it can still be on its way).
    /// </summary>
    public long? BookmarkVersion(Watcher watcher)
    {
        lock (gate) return watcher.Reader.Count == 0 ? resourceVersion : null;
    }

    public int WatcherCount
    {
        get { lock (gate) return watchers.Count; }
    }

    void Publish(StoredEvent e)
    {
        history.Enqueue(e);
        while (history.Count > HistoryLimit)
            oldestRetainedVersion = history.Dequeue().ResourceVersion + 1;
        foreach (var w in watchers) w.Offer(e);
    }

    static string RandomSuffix(int length) =>
        new(Enumerable.Range(0, length).Select(_ => NameAlphabet[RandomNumberGenerator.GetInt32(NameAlphabet.Length)]).ToArray());
}
