using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.DemoHost;

public static class Demo
{
    public const string World = "world";
    public const string FailAt = "fail-at";
    public const string FailMode = "fail-mode";
    public const string HangAt = "hang-at";
    public const string Skip = "skip";
    public const string Token = "demo-token";

    public static int Run(string[] args) =>
        new CakeHost()
            .UseTwisterLab()
            .AddAssembly(typeof(Demo).Assembly)
            .ConfigureServices(services =>
            {
                services.AddCompensationHandler<RestoreFileHandler>();
                services.AddSingleton(new ArgumentSpec(World, "Folder the demo steps change."));
                services.AddSingleton(new ArgumentSpec(FailAt, "Step that fails."));
                services.AddSingleton(new ArgumentSpec(FailMode, "before-record | after-record | after-change", Check: CheckMode));
                services.AddSingleton(new ArgumentSpec(HangAt, "Step that changes its file, then waits to be killed."));
                services.AddSingleton(new ArgumentSpec(Skip, "Step whose criteria says no."));
                services.AddSingleton(new ArgumentSpec(Token, "A secret.", Secret: true));
            })
            .Run(args);

    private static string? CheckMode(string mode) =>
        mode is "before-record" or "after-record" or "after-change" ? null : $"unknown fail mode '{mode}'";
}
