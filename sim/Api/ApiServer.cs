using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TwisterLab.KubeSim.Exec;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>The HTTP face of the simulator: routes every request to discovery, OpenAPI or a resource handler.</summary>
internal sealed class ApiServer(Registry registry, SimFaults faults, ExecEndpoint exec, PortForward.PortForwardEndpoint portForward, Eviction eviction, PodLogEndpoint podLogs, Func<string> serverVersion,
    Authentication authentication, RbacAuthorizer authorization, CallRecorder calls)
{
    ObjectStore Store => registry.Store;

    const string UserKey = "kubesim.user";

    static UserInfo UserOf(HttpContext http) => http.Items[UserKey] as UserInfo ?? UserInfo.Admin;

    public async Task HandleAsync(HttpContext http)
    {
        try
        {
            switch (faults.TakeRequestFault(http.Request.Method, http.Request.Path.Value ?? "/"))
            {
                case RequestFault.Drop:
                    http.Abort();
                    return;
                case RequestFault.InternalError:
                    throw ApiException.Internal("injected fault: internal error");
                case RequestFault.TooManyRequests:
                    http.Response.Headers["Retry-After"] = "1";
                    throw ApiException.TooManyRequests("injected fault: too many requests, please try again later");
            }
            http.Items[UserKey] = authentication.Authenticate(http);
            await RouteAsync(http);
        }
        catch (ApiException e)
        {
            if (!http.Response.HasStarted) await WriteJson(http, e.Code, e.ToStatus());
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a watch closed): nothing to answer.
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The connection broke while we were writing to it.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A simulator bug must still look like an apiserver failure to the client, and be visible to us.
            Console.Error.WriteLine($"kubesim: {http.Request.Method} {http.Request.Path}{http.Request.QueryString} failed: {e}");
            if (!http.Response.HasStarted) await WriteJson(http, 500, ApiException.Internal(e.Message).ToStatus());
        }
    }

    /// <summary>Records the request as the authorizer sees it, then answers 403 unless RBAC allows it (the admin always passes).</summary>
    void Authorize(HttpContext http, RequestAttributes request)
    {
        var user = UserOf(http);
        calls.Record(user, request);
        if (user.IsPrivileged) return;
        var decision = authorization.Authorize(user, request);
        if (!decision.Allowed) throw RbacAuthorizer.Forbidden(user, request, decision.Reason);
    }

    async Task RouteAsync(HttpContext http)
    {
        var path = (http.Request.Path.Value ?? "/").TrimEnd('/');
        var accept = http.Request.Headers.Accept.ToString();
        var resource = ResourcePath.Parse(path);
        Authorize(http, resource is null
            ? RequestAttributes.ForPath(RequestAttributes.NonResourceVerb(http.Request.Method), path.Length == 0 ? "/" : path)
            : RequestAttributes.Of(http.Request, resource));
        switch (path)
        {
            case "/version":
                await WriteJson(http, 200, Discovery.Version(serverVersion()));
                return;
            case "/healthz" or "/readyz" or "/livez":
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("ok");
                return;
            case "/api":
                if (Discovery.WantsAggregated(accept)) await WriteJson(http, 200, Discovery.Aggregated(core: true), Discovery.AggregatedContentType);
                else await WriteJson(http, 200, Discovery.LegacyCoreVersions(http.Request.Host.Value ?? "127.0.0.1"));
                return;
            case "/apis":
                if (Discovery.WantsAggregated(accept)) await WriteJson(http, 200, Discovery.Aggregated(core: false), Discovery.AggregatedContentType);
                else await WriteJson(http, 200, Discovery.LegacyGroups());
                return;
            case "/api/v1":
                await WriteJson(http, 200, Discovery.ResourceList("", "v1"));
                return;
            case "/openapi/v3":
                await WriteJson(http, 200, OpenApi.Index());
                return;
        }
        if (path.StartsWith("/openapi/v3/"))
        {
            var doc = OpenApi.Document(path["/openapi/v3/".Length..]) ?? throw NotFound(path);
            await WriteJson(http, 200, doc);
            return;
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["apis", var g] && ResourceCatalog.Groups.Contains(g))
        {
            await WriteJson(http, 200, Discovery.Group(g));
            return;
        }
        if (segments is ["apis", var group, var version] && ResourceCatalog.Groups.Contains(group) && ResourceCatalog.VersionOf(group) == version)
        {
            await WriteJson(http, 200, Discovery.ResourceList(group, version));
            return;
        }
        await HandleResourceAsync(http, resource ?? throw NotFound(path));
    }

    static ApiException NotFound(string path) => new(404, "NotFound", $"the server could not find the requested resource ({path})");

    async Task HandleResourceAsync(HttpContext http, ResourcePath r)
    {
        var request = http.Request;
        var query = request.Query;
        var dryRun = query["dryRun"].Contains("All");
        var method = request.Method;
        var ns = r.Type.Namespaced ? r.Namespace : null;

        if (r.Type.CreateOnly)
        {
            if (method != "POST" || r.Name is not null) throw ApiException.MethodNotAllowed($"{method} is not supported on {r.Type.Plural}");
            await WriteJson(http, 201, Reviews.Answer(r.Type, await ReadObjectAsync(request), UserOf(http), authorization));
            return;
        }

        if (r.Subresource == "token" && r.Type == ResourceCatalog.ServiceAccounts)
        {
            if (method != "POST") throw ApiException.MethodNotAllowed($"{method} is not supported on serviceaccounts/token");
            await ReadBodyAsync(request); // kubectl sends the TokenRequest in protobuf; its defaults are what we answer
            var lifetime = TimeSpan.FromHours(1);
            await WriteJson(http, 201, Reviews.TokenRequest(ns!, r.Name!, authentication.IssueServiceAccountToken(ns!, r.Name!, lifetime), lifetime));
            return;
        }

        if (r.Subresource == "exec")
        {
            await exec.HandleAsync(http, ns!, r.Name!);
            return;
        }

        if (r.Subresource == "portforward" && r.Name is not null)
        {
            await portForward.HandleAsync(http, ns!, r.Name);
            return;
        }

        if (r.Name is null)
        {
            switch (method)
            {
                case "GET" when QueryBool.Parse(query["watch"], "watch"):
                    await WatchAsync(http, r.Type, ns);
                    return;
                case "GET":
                    await ListAsync(http, r.Type, ns);
                    return;
                case "POST":
                    var created = registry.Create(r.Type, ns, await ReadObjectAsync(request), dryRun, Manager(http));
                    await WriteJson(http, 201, created);
                    return;
                case "DELETE":
                    await DeleteCollectionAsync(http, r.Type, ns, dryRun);
                    return;
                default:
                    throw ApiException.MethodNotAllowed($"{method} is not allowed on a collection");
            }
        }

        switch (method, r.Subresource)
        {
            case ("GET", null or "status"):
                await WriteObjectAsync(http, r.Type, Store.Get(r.Type, ns, r.Name) ?? throw ApiException.NotFound(r.Type, r.Name));
                return;
            case ("GET", "scale"):
                await WriteJson(http, 200, ScaleSubresource.View(Store.Get(r.Type, ns, r.Name) ?? throw ApiException.NotFound(r.Type, r.Name)));
                return;
            case ("GET", "log"):
                await podLogs.HandleAsync(http, ns!, r.Name);
                return;
            case ("PUT" or "PATCH", "scale"):
                var body = await ReadBodyAsync(request);
                var scaled = registry.Scale(r.Type, ns, r.Name, method, MediaType(request.ContentType), body, dryRun);
                await WriteJson(http, 200, ScaleSubresource.View(scaled));
                return;
            case ("PUT", null or "status" or "finalize"):
                var updated = registry.Update(r.Type, ns, r.Name, r.Subresource == "status" ? "status" : null, await ReadObjectAsync(request), dryRun, Manager(http));
                await WriteJson(http, 200, updated);
                return;
            case ("PATCH", null or "status"):
                var patchBody = await ReadBodyAsync(request);
                var media = MediaType(request.ContentType);
                var manager = media == "application/apply-patch+yaml" ? query["fieldManager"].FirstOrDefault() : Manager(http);
                var (patched, wasCreated) = registry.Patch(r.Type, ns, r.Name, r.Subresource, media, patchBody, manager, dryRun, QueryBool.Parse(query["force"], "force"));
                await WriteJson(http, wasCreated ? 201 : 200, patched);
                return;
            case ("DELETE", null):
                var options = await ReadDeleteOptionsAsync(request);
                if (query["propagationPolicy"].FirstOrDefault() is { } policy) options["propagationPolicy"] = policy;
                if (query["gracePeriodSeconds"].FirstOrDefault() is { } grace && long.TryParse(grace, out var g)) options["gracePeriodSeconds"] = g;
                await WriteJson(http, 200, registry.Delete(r.Type, ns, r.Name, options, dryRun || IsDryRun(options)));
                return;
            case ("POST", "eviction"):
                await WriteJson(http, 201, eviction.Evict(ns!, r.Name, await ReadObjectAsync(request), dryRun));
                return;
            default:
                throw ApiException.MethodNotAllowed($"{method} is not supported on {r.Type.Plural}{(r.Subresource is null ? "" : "/" + r.Subresource)}");
        }
    }

    async Task ListAsync(HttpContext http, ResourceType type, string? ns)
    {
        var query = http.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var (items, version) = Store.List(type, ns);
        var matching = items.Where(o => labels.Matches(o) && fields.Matches(o)).ToList();
        var page = ListPage.Take(matching, query["limit"], query["continue"]);
        var listMeta = new JsonObject { ["resourceVersion"] = version.ToString() };
        if (page.Continue is not null)
        {
            listMeta["continue"] = page.Continue;
            listMeta["remainingItemCount"] = page.Remaining;
        }
        if (Tables.Wanted(http.Request.Headers.Accept.ToString()))
        {
            var table = Tables.Render(type, page.Items, version);
            table["metadata"] = listMeta;
            await WriteJson(http, 200, table, Tables.ContentType);
            return;
        }
        // Items are written as stored (shared, frozen), so the list is assembled as text instead of cloning every object.
        var sb = new StringBuilder();
        sb.Append($"{{\"kind\":\"{type.ListKind}\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{Json.Serialize(listMeta)},\"items\":[");
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Json.Serialize(page.Items[i]));
        }
        sb.Append("]}");
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(sb.ToString());
    }

    async Task WriteObjectAsync(HttpContext http, ResourceType type, JsonObject obj)
    {
        if (Tables.Wanted(http.Request.Headers.Accept.ToString()))
            await WriteJson(http, 200, Tables.Render(type, [obj], Json.Long(obj, "metadata", "resourceVersion") ?? 0), Tables.ContentType);
        else
            await WriteJson(http, 200, obj);
    }

    /// <summary>
    /// A watch: one JSON event per line, flushed one by one, until timeoutSeconds, the client leaving, or the
    /// store dropping the watch. An expired resourceVersion is reported in-stream as an ERROR event with a 410 Status.
    /// </summary>
    async Task WatchAsync(HttpContext http, ResourceType type, string? ns)
    {
        var labels = LabelSelector.Parse(http.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(http.Request.Query["fieldSelector"]);
        var timeout = int.TryParse(http.Request.Query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        Watcher watcher;
        try
        {
            watcher = Store.Watch(type, ns, o => labels.Matches(o) && fields.Matches(o), http.Request.Query["resourceVersion"]);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            await http.Response.WriteAsync($"{{\"type\":\"ERROR\",\"object\":{Json.Serialize(e.ToStatus())}}}\n");
            return;
        }
        using var _ = watcher;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        cts.CancelAfter(timeout);
        await http.Response.StartAsync(cts.Token);
        await http.Response.Body.FlushAsync(cts.Token);
        try
        {
            var asTable = Tables.Wanted(http.Request.Headers.Accept.ToString());
            var bookmarks = QueryBool.Parse(http.Request.Query["allowWatchBookmarks"], "allowWatchBookmarks") && !asTable;
            while (!cts.IsCancellationRequested)
            {
                while (watcher.Reader.TryRead(out var line))
                {
                    // kubectl get -w asks for Tables: then every event carries a one-row Table, as the apiserver sends.
                    var text = asTable
                        ? $"{{\"type\":\"{line.Type}\",\"object\":{Json.Serialize(Tables.Render(type, [line.Event.Object], line.Event.ResourceVersion))}}}"
                        : line.ToJson();
                    await http.Response.WriteAsync(text + "\n", cts.Token);
                }
                await http.Response.Body.FlushAsync(cts.Token);
                if (!await WaitForEventsAsync(http, watcher, type, bookmarks, cts.Token)) break;
            }
        }
        catch (OperationCanceledException) { /* timeoutSeconds elapsed or the client left: end the stream cleanly */ }
        catch (System.Threading.Channels.ChannelClosedException) { }
    }

    static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits for the next event. While none comes, a watch that allows bookmarks gets a BOOKMARK with the current
    /// resourceVersion every few seconds: clients can resume from it, and writing it reveals a client that left.
    /// Returns false when the store closed the watch.
    /// </summary>
    async Task<bool> WaitForEventsAsync(HttpContext http, Watcher watcher, ResourceType type, bool bookmarks, CancellationToken ct)
    {
        while (true)
        {
            if (!bookmarks) return await watcher.Reader.WaitToReadAsync(ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(BookmarkInterval);
            try
            {
                return await watcher.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (Store.BookmarkVersion(watcher) is not { } version) return true;
                var bookmark = $"{{\"type\":\"BOOKMARK\",\"object\":{{\"kind\":\"{type.Kind}\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{version}\"}}}}}}\n";
                await http.Response.WriteAsync(bookmark, ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
    }

    async Task DeleteCollectionAsync(HttpContext http, ResourceType type, string? ns, bool dryRun)
    {
        var labels = LabelSelector.Parse(http.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(http.Request.Query["fieldSelector"]);
        var options = await ReadDeleteOptionsAsync(http.Request);
        dryRun |= IsDryRun(options);
        var deleted = new JsonArray();
        foreach (var obj in Store.List(type, ns).Items.Where(o => labels.Matches(o) && fields.Matches(o)))
        {
            try { deleted.Add(registry.Delete(type, Json.Str(obj, "metadata", "namespace"), Json.Str(obj, "metadata", "name")!, Json.Clone(options), dryRun).DeepClone()); }
            catch (ApiException e) when (e.Code == 404) { }
        }
        await WriteJson(http, 200, new JsonObject { ["kind"] = type.ListKind, ["apiVersion"] = type.ApiVersion, ["metadata"] = new JsonObject(), ["items"] = deleted });
    }

    /// <summary>kubectl puts dryRun in the DeleteOptions body rather than in the query.</summary>
    static bool IsDryRun(JsonObject options) => (options["dryRun"] as JsonArray)?.Any(d => d?.ToString() == "All") ?? false;

    /// <summary>The field manager of a write: ?fieldManager, else the client's User-Agent product, as the apiserver does.</summary>
    static string Manager(HttpContext http)
    {
        if (http.Request.Query["fieldManager"].FirstOrDefault() is { Length: > 0 } manager) return manager;
        var agent = http.Request.Headers.UserAgent.ToString();
        var product = agent.Split('/', ' ')[0];
        return product.Length > 0 ? product : "unknown";
    }

    static string MediaType(string? contentType) => (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Create and update bodies are JSON or YAML (protobuf is decoded by ReadObjectAsync for the kinds it knows).</summary>
    static async Task<string> ReadJsonBodyAsync(HttpRequest request)
    {
        var media = MediaType(request.ContentType);
        if (media is not ("" or "application/json" or "application/yaml" or "text/plain"))
            throw ApiException.UnsupportedMediaType(media);
        return await ReadBodyAsync(request);
    }

    static async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        if (MediaType(request.ContentType) == Patching.ProtobufBody.MediaType)
        {
            using var bytes = new MemoryStream();
            await request.Body.CopyToAsync(bytes);
            return Patching.ProtobufBody.Decode(bytes.ToArray());
        }
        var text = await ReadJsonBodyAsync(request);
        return MediaType(request.ContentType) == "application/yaml" && !text.TrimStart().StartsWith('{')
            ? Patching.YamlBody.ParseObject(text)
            : Json.ParseObject(text);
    }

    /// <summary>DeleteOptions may come as JSON, as protobuf (kubectl drain --disable-eviction), or not at all; protobuf is ignored.</summary>
    static async Task<JsonObject> ReadDeleteOptionsAsync(HttpRequest request)
    {
        if (MediaType(request.ContentType) != "application/json") return new JsonObject();
        var body = await ReadBodyAsync(request);
        return string.IsNullOrWhiteSpace(body) ? new JsonObject() : Json.ParseObject(body);
    }

    internal static async Task WriteJson(HttpContext http, int code, JsonNode body, string contentType = "application/json")
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(Json.Serialize(body));
    }
}
