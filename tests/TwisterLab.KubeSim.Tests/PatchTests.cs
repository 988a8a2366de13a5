using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Patching;

namespace TwisterLab.KubeSim.Tests;

/// <summary>The patch engines on their own: the rules of apimachinery's strategic merge patch and RFC 6902/7386.</summary>
public sealed class PatchTests
{
    static JsonObject O(string json) => JsonNode.Parse(json)!.AsObject();

    static readonly JsonObject Deployment = O("""
        {"metadata":{"labels":{"app":"web","tier":"front"}},
         "spec":{"template":{"spec":{"containers":[
            {"name":"web","image":"web:v1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["--x","--y"]},
            {"name":"sidecar","image":"proxy:v1"}]}}}}
        """);

    [Fact]
    public void SetImage_MergesContainersByName_AndKeepsTheOrder()
    {
        var patch = O("""{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],"containers":[{"image":"web:v2","name":"web"}]}}}}""");
        var result = StrategicMergePatch.Apply(Deployment, patch);
        var containers = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["web", "sidecar"], containers.Select(c => c!["name"]!.ToString()));
        Assert.Equal("web:v2", containers[0]!["image"]!.ToString());
        Assert.Equal(2, containers[0]!["env"]!.AsArray().Count);
        Assert.Equal("proxy:v1", containers[1]!["image"]!.ToString());
        Assert.DoesNotContain("$setElementOrder", result.ToJsonString());
    }

    [Fact]
    public void NullDeletesMapKeys_ListsWithoutMergeKeyAreReplaced_AndDeleteDirectivesRemoveItems()
    {
        var patch = O("""
            {"metadata":{"labels":{"tier":null,"track":"green"}},
             "spec":{"template":{"spec":{"containers":[
                {"name":"web","args":["--z"],"env":[{"name":"A","$patch":"delete"},{"name":"C","value":"3"}]},
                {"name":"sidecar","$patch":"delete"}]}}}}
            """);
        var result = StrategicMergePatch.Apply(Deployment, patch);
        Assert.Equal("""{"app":"web","track":"green"}""", result["metadata"]!["labels"]!.ToJsonString());
        var web = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        Assert.Equal("""["--z"]""", web["args"]!.ToJsonString());
        Assert.Equal(["B", "C"], web["env"]!.AsArray().Select(e => e!["name"]!.ToString()));
    }

    [Fact]
    public void ReplaceDirective_ReplacesAWholeMap_AndFinalizersMergeAsASet()
    {
        var target = O("""{"metadata":{"finalizers":["a"]},"spec":{"selector":{"app":"web","version":"v1"}}}""");
        var patch = O("""{"metadata":{"finalizers":["b","a"]},"spec":{"selector":{"$patch":"replace","version":"v2"}}}""");
        var result = StrategicMergePatch.Apply(target, patch);
        Assert.Equal("""{"version":"v2"}""", result["spec"]!["selector"]!.ToJsonString());
        Assert.Equal("""["a","b"]""", result["metadata"]!["finalizers"]!.ToJsonString());
    }

    [Fact]
    public void ServicePortsMergeByPort_ContainerPortsByContainerPort()
    {
        var service = O("""{"spec":{"ports":[{"port":80,"targetPort":8000},{"port":443,"targetPort":8443}]}}""");
        var result = StrategicMergePatch.Apply(service, O("""{"spec":{"ports":[{"port":80,"targetPort":9000}]}}"""));
        Assert.Equal(2, result["spec"]!["ports"]!.AsArray().Count);
        Assert.Equal(9000, (int)result["spec"]!["ports"]![0]!["targetPort"]!);
    }

    [Fact]
    public void JsonPatch_SupportsTheRfcOperations()
    {
        var doc = O("""{"a":{"b":[1,2]},"c~d":1,"e/f":2}""");
        var ops = JsonNode.Parse("""
            [{"op":"add","path":"/a/b/-","value":3},
             {"op":"add","path":"/a/b/0","value":0},
             {"op":"remove","path":"/c~0d"},
             {"op":"replace","path":"/e~1f","value":5},
             {"op":"copy","from":"/a/b","path":"/copy"},
             {"op":"move","from":"/copy","path":"/moved"},
             {"op":"test","path":"/e~1f","value":5}]
            """)!.AsArray();
        var result = JsonPatch.Apply(doc, ops);
        Assert.Equal("""{"a":{"b":[0,1,2,3]},"e/f":5,"moved":[0,1,2,3]}""", result.ToJsonString());

        var failing = JsonNode.Parse("""[{"op":"test","path":"/a","value":1}]""")!.AsArray();
        Assert.Equal(422, Assert.Throws<ApiException>(() => JsonPatch.Apply(doc, failing)).Code);
        var missing = JsonNode.Parse("""[{"op":"remove","path":"/nope"}]""")!.AsArray();
        Assert.Throws<ApiException>(() => JsonPatch.Apply(doc, missing));
    }

    [Fact]
    public void JsonMergePatch_MergesObjectsAndReplacesArrays()
    {
        var result = JsonMergePatch.Apply(O("""{"a":{"x":1,"y":2},"l":[1,2]}"""), O("""{"a":{"y":null,"z":3},"l":[3]}"""));
        Assert.Equal("""{"a":{"x":1,"z":3},"l":[3]}""", result!.ToJsonString());
    }

    [Fact]
    public void LabelSelectorObjects_MatchExpressions()
    {
        var selector = LabelSelector.FromObject(O("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"canary","operator":"DoesNotExist"}]}"""));
        Assert.True(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "a" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "c" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "a", ["canary"] = "1" }));
        Assert.Equal("app=web,tier in (a,b),!canary", LabelSelector.ToQueryString(O("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"canary","operator":"DoesNotExist"}]}""")));
    }
}
