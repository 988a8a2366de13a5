using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Controllers;

namespace TwisterLab.KubeSim.Tests;

/// <summary>Table tests of the deployment controller's pure calculations (deployment_util.go).</summary>
public sealed class DeploymentMathTests
{
    static JsonObject Deployment(int replicas, string? surge, string? unavailable, string type = "RollingUpdate")
    {
        var rolling = new JsonObject { ["maxSurge"] = Value(surge), ["maxUnavailable"] = Value(unavailable) };
        var strategy = new JsonObject { ["type"] = type, ["rollingUpdate"] = rolling };
        return new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas, ["strategy"] = strategy } };
    }

    static JsonNode? Value(string? v) => v is null ? null : v.EndsWith('%') ? JsonValue.Create(v) : JsonValue.Create(int.Parse(v));

    [Theory]
    [InlineData(3, "25%", "25%", 1, 0)]     // surge rounds up, unavailable rounds down
    [InlineData(10, "25%", "25%", 3, 2)]
    [InlineData(3, "0", "0", 0, 1)]         // both zero: one may be unavailable
    [InlineData(3, "1", "0", 1, 0)]
    [InlineData(4, "50%", "50%", 2, 2)]
    [InlineData(2, "0", "5", 0, 2)]         // unavailability is capped at replicas
    public void Fenceposts_RoundLikeUpstream(int replicas, string surge, string unavailable, int expectedSurge, int expectedUnavailable)
    {
        var d = Deployment(replicas, surge, unavailable);
        Assert.Equal(expectedSurge, DeploymentMath.MaxSurge(d));
        Assert.Equal(expectedUnavailable, DeploymentMath.MaxUnavailable(d));
    }

    [Fact]
    public void Recreate_HasNoSurgeAndNoUnavailability()
    {
        var d = Deployment(3, "1", "1", "Recreate");
        Assert.Equal(0, DeploymentMath.MaxSurge(d));
        Assert.Equal(0, DeploymentMath.MaxUnavailable(d));
    }

    [Fact]
    public void TemplatesCompareIgnoringTheHashLabelAndEmptyValues()
    {
        var live = JsonNode.Parse("""{"metadata":{"labels":{"app":"a","pod-template-hash":"abc"}},"spec":{"containers":[{"name":"c","image":"i","resources":{}}]}}""");
        var fromUndo = JsonNode.Parse("""{"metadata":{"creationTimestamp":null,"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i"}]}}""");
        var other = JsonNode.Parse("""{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"j"}]}}""");
        Assert.True(DeploymentMath.EqualIgnoreHash(live, fromUndo));
        Assert.False(DeploymentMath.EqualIgnoreHash(live, other));
        Assert.Equal(DeploymentMath.PodTemplateHash(live, 0), DeploymentMath.PodTemplateHash(fromUndo, 0));
        Assert.NotEqual(DeploymentMath.PodTemplateHash(live, 0), DeploymentMath.PodTemplateHash(live, 1));
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]+$", DeploymentMath.PodTemplateHash(other, 0));
    }
}
