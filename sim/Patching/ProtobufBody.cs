using System.Text;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// Protobuf request bodies, for the kinds kubectl's typed commands send that way (create namespace|configmap|
/// secret|job|deployment, auth can-i, auth whoami): the "k8s\0" envelope (runtime.Unknown) and the fields of those
/// kinds as their generated.proto number them, decoded into the JSON the rest of the simulator works with. Fields
/// it has no schema for are skipped; a kind it has no schema for is 415, as before. Responses stay JSON.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    static readonly byte[] Magic = "k8s\0"u8.ToArray();

    enum T { Str, Bytes, Int, Bool, Msg, Map, MapBytes }

    sealed record F(string Name, T Type, bool Repeated = false, Dictionary<int, F>? Schema = null);

    static F S(string n, bool rep = false) => new(n, T.Str, rep);
    static F I(string n) => new(n, T.Int);
    static F B(string n) => new(n, T.Bool);
    static F M(string n, Dictionary<int, F> schema, bool rep = false) => new(n, T.Msg, rep, schema);

    static readonly Dictionary<int, F> TypeMeta = new() { [1] = S("apiVersion"), [2] = S("kind") };
    static readonly Dictionary<int, F> OwnerReference = new()
    {
        [1] = S("kind"), [3] = S("name"), [4] = S("uid"), [5] = S("apiVersion"), [6] = B("controller"), [7] = B("blockOwnerDeletion"),
    };
    static readonly Dictionary<int, F> ObjectMeta = new()
    {
        [1] = S("name"), [2] = S("generateName"), [3] = S("namespace"), [6] = S("resourceVersion"),
        [11] = new("labels", T.Map), [12] = new("annotations", T.Map), [13] = M("ownerReferences", OwnerReference, rep: true),
        [14] = S("finalizers", rep: true),
    };
    static readonly Dictionary<int, F> LabelSelector = new()
    {
        [1] = new("matchLabels", T.Map),
        [2] = M("matchExpressions", new() { [1] = S("key"), [2] = S("operator"), [3] = S("values", rep: true) }, rep: true),
    };
    static readonly Dictionary<int, F> Container = new()
    {
        [1] = S("name"), [2] = S("image"), [3] = S("command", rep: true), [4] = S("args", rep: true), [5] = S("workingDir"),
        [7] = M("env", new() { [1] = S("name"), [2] = S("value") }, rep: true),
        [13] = S("terminationMessagePath"), [14] = S("imagePullPolicy"), [20] = S("terminationMessagePolicy"),
    };
    static readonly Dictionary<int, F> PodSpec = new()
    {
        [2] = M("containers", Container, rep: true), [3] = S("restartPolicy"), [4] = I("terminationGracePeriodSeconds"),
        [5] = I("activeDeadlineSeconds"), [6] = S("dnsPolicy"), [7] = new("nodeSelector", T.Map), [8] = S("serviceAccountName"),
        [20] = M("initContainers", Container, rep: true),
    };
    static readonly Dictionary<int, F> PodTemplateSpec = new() { [1] = M("metadata", ObjectMeta), [2] = M("spec", PodSpec) };

    static readonly Dictionary<string, Dictionary<int, F>> Kinds = new()
    {
        ["Namespace"] = new() { [1] = M("metadata", ObjectMeta), [2] = M("spec", new() { [1] = S("finalizers", rep: true) }) },
        ["ConfigMap"] = new() { [1] = M("metadata", ObjectMeta), [2] = new("data", T.Map), [3] = new("binaryData", T.MapBytes), [4] = B("immutable") },
        ["Secret"] = new() { [1] = M("metadata", ObjectMeta), [2] = new("data", T.MapBytes), [3] = S("type"), [4] = new("stringData", T.Map), [5] = B("immutable") },
        ["SelfSubjectAccessReview"] = new()
        {
            [1] = M("metadata", ObjectMeta),
            [2] = M("spec", new()
            {
                [1] = M("resourceAttributes", new() { [1] = S("namespace"), [2] = S("verb"), [3] = S("group"), [4] = S("version"), [5] = S("resource"), [6] = S("subresource"), [7] = S("name") }),
                [2] = M("nonResourceAttributes", new() { [1] = S("path"), [2] = S("verb") }),
            }),
        },
        ["SelfSubjectReview"] = new() { [1] = M("metadata", ObjectMeta) },
        ["Job"] = new()
        {
            [1] = M("metadata", ObjectMeta),
            [2] = M("spec", new()
            {
                [1] = I("parallelism"), [2] = I("completions"), [3] = I("activeDeadlineSeconds"), [4] = M("selector", LabelSelector),
                [5] = B("manualSelector"), [6] = M("template", PodTemplateSpec), [7] = I("backoffLimit"), [8] = I("ttlSecondsAfterFinished"),
                [9] = S("completionMode"), [10] = B("suspend"),
            }),
        },
        ["Deployment"] = new()
        {
            [1] = M("metadata", ObjectMeta),
            [2] = M("spec", new()
            {
                [1] = I("replicas"), [2] = M("selector", LabelSelector), [3] = M("template", PodTemplateSpec),
                [5] = I("minReadySeconds"), [6] = I("revisionHistoryLimit"), [7] = B("paused"), [9] = I("progressDeadlineSeconds"),
            }),
        },
    };

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic))
            throw ApiException.BadRequest("the protobuf body does not start with the k8s envelope");
        var envelope = Message(body.AsSpan(4).ToArray(), new() { [1] = M("typeMeta", TypeMeta), [2] = new("raw", T.Bytes) });
        var kind = Json.Str(envelope, "typeMeta", "kind") ?? "";
        if (!Kinds.TryGetValue(kind, out var schema) || envelope["raw"] is not JsonValue raw)
            throw ApiException.UnsupportedMediaType($"{MediaType} ({kind})");
        var obj = Message(Convert.FromBase64String(raw.GetValue<string>()), schema);
        obj["apiVersion"] = Json.Str(envelope, "typeMeta", "apiVersion");
        obj["kind"] = kind;
        return obj;
    }

    static JsonObject Message(byte[] data, Dictionary<int, F> schema)
    {
        var obj = new JsonObject();
        var i = 0;
        while (i < data.Length)
        {
            var key = Varint(data, ref i);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            byte[]? chunk = null;
            ulong value = 0;
            switch (wire)
            {
                case 0: value = Varint(data, ref i); break;
                case 1: i += 8; continue;
                case 5: i += 4; continue;
                case 2:
                    var length = (int)Varint(data, ref i);
                    chunk = data.AsSpan(i, length).ToArray();
                    i += length;
                    break;
                default: throw ApiException.BadRequest($"unsupported protobuf wire type {wire}");
            }
            if (!schema.TryGetValue(number, out var field)) continue;
            JsonNode? node = field.Type switch
            {
                T.Str => Encoding.UTF8.GetString(chunk ?? []),
                T.Bytes => Convert.ToBase64String(chunk ?? []),
                T.Int => (long)value,
                T.Bool => value != 0,
                T.Msg => Message(chunk ?? [], field.Schema!),
                _ => null,
            };
            if (field.Type is T.Map or T.MapBytes)
            {
                var entry = Message(chunk ?? [], new() { [1] = S("k"), [2] = field.Type == T.Map ? S("v") : new F("v", T.Bytes) });
                var map = obj[field.Name] as JsonObject ?? new JsonObject();
                map[Json.Str(entry, "k") ?? ""] = Json.Str(entry, "v") ?? "";
                obj[field.Name] = map;
                continue;
            }
            if (field.Repeated)
            {
                var list = obj[field.Name] as JsonArray ?? new JsonArray();
                list.Add(node);
                obj[field.Name] = list;
            }
            else obj[field.Name] = node;
        }
        return obj;
    }

    static ulong Varint(byte[] data, ref int i)
    {
        ulong result = 0;
        for (var shift = 0; i < data.Length; shift += 7)
        {
            var b = data[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        return result;
    }
}
