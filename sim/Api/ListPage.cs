using System.Text;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// limit/continue paging. Items come sorted by namespace and name; the continue token carries the last key
/// returned. Unlike the apiserver, the next page lists the current state, not the first page's snapshot.
/// </summary>
internal sealed record ListPage(List<JsonObject> Items, string? Continue, long Remaining)
{
    public static ListPage Take(List<JsonObject> sorted, string? limitText, string? continueToken)
    {
        var items = sorted;
        if (!string.IsNullOrEmpty(continueToken))
        {
            string after;
            try { after = Encoding.UTF8.GetString(Convert.FromBase64String(continueToken)); }
            catch (FormatException) { throw ApiException.BadRequest("continue key is not valid: illegal base64 data"); }
            items = items.Where(o => string.CompareOrdinal(Key(o), after) > 0).ToList();
        }
        if (!int.TryParse(limitText, out var limit) || limit <= 0 || items.Count <= limit) return new ListPage(items, null, 0);
        var page = items.Take(limit).ToList();
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(Key(page[^1])));
        return new ListPage(page, token, items.Count - limit);
    }

    static string Key(JsonObject o) => $"{Json.Str(o, "metadata", "namespace")}/{Json.Str(o, "metadata", "name")}";
}
