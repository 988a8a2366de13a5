using k8s.Models;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Tests;

/// <summary>Which deployment is live and which colours are retired, from the Service's selector alone.</summary>
public sealed class AppDeploymentsTests
{
    private static readonly Dictionary<string, string> OnGreen = new() { ["app"] = "twisterlab-api", ["version"] = "v2.0" };

    [Theory]
    // name:version:replicas of each deployment; the live one expected (or "ambiguous"/"none"); the retired ones.
    [InlineData("twisterlab-api:v1:3", "app=twisterlab-api,version=v1", "twisterlab-api", "")]
    [InlineData("twisterlab-api:v1:0 twisterlab-api-v2-0:v2.0:3", "app=twisterlab-api,version=v2.0", "twisterlab-api-v2-0", "twisterlab-api")]
    [InlineData("twisterlab-api-v2-0:v2.0:3", "app=twisterlab-api,version=v2.0", "twisterlab-api-v2-0", "")]
    [InlineData("twisterlab-api:v1:3 twisterlab-api-v2-0:v2.0:1", "app=twisterlab-api", "ambiguous", "")]
    [InlineData("twisterlab-api:v1:0 twisterlab-api-v2-0:v2.0:3", "app=twisterlab-api", "twisterlab-api-v2-0", "")]
    [InlineData("twisterlab-api:v1:3 postgres:v15:1", "app=twisterlab-api,version=v3.0", "none", "twisterlab-api")]
    public void Follows_the_Service_selector(string deployments, string selector, string live, string retired)
    {
        var app = AppDeployments.Classify(
            selector.Split(',').Select(pair => pair.Split('=')).ToDictionary(pair => pair[0], pair => pair[1]),
            deployments.Split(' ').Select(Deployment));

        var found = app.Live(out var ambiguity);

        Assert.Equal(live, ambiguity is not null ? "ambiguous" : found ?? "none");
        Assert.Equal(retired, AppDeployments.Names(app.Retired).Replace(", ", " "));
    }

    [Fact]
    public void A_deployment_of_another_app_is_never_a_colour() =>
        Assert.Empty(AppDeployments.Classify(OnGreen, [Deployment("postgres:v2.0:1")]).Retired);

    private static V1Deployment Deployment(string description)
    {
        var (name, version, replicas) = (description.Split(':')[0], description.Split(':')[1], int.Parse(description.Split(':')[2]));
        var app = name.StartsWith("twisterlab-api", StringComparison.Ordinal) ? "twisterlab-api" : name;
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector(),
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app, ["version"] = version } } },
            },
        };
    }
}
