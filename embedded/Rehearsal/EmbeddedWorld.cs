namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// <c>--cluster=embedded</c> for any target: the whole rehearsal world (simulator, throwaway PostgreSQL and Redis
/// behind the postgres/redis pods, the stand-in API, v1 deployed and seeded), started before the host and stopped
/// after it. The run gets the world's arguments and the target's embedded defaults (<see cref="TargetDefaults"/>),
/// the caller's own arguments winning. A dry run starts nothing: its plan needs no world.
/// </summary>
public static class EmbeddedWorld
{
    public const string Argument = "--cluster=embedded";

    /// <summary>Targets that bring their own world (or none): the flag goes through to them unchanged.</summary>
    private static readonly HashSet<string> OwnWorld = new(StringComparer.OrdinalIgnoreCase) { "Rehearse", "SandboxUp", "SandboxDown", "Default", "Test" };

    public static bool Wanted(IReadOnlyList<string> arguments) =>
        arguments.Any(argument => string.Equals(argument, Argument, StringComparison.OrdinalIgnoreCase))
        && !arguments.Any(argument => argument is "--dryrun" or "--noop" or "--whatif" or "--dryrun=true")
        && !OwnWorld.Contains(HostArguments.Target(arguments));

    /// <summary>Starts the world, runs <paramref name="host"/> with the arguments pointing at it, stops the world.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, Func<string[], int> host, TextWriter log)
    {
        var target = HostArguments.Target(arguments);
        var working = HostArguments.Value(arguments, "working") is { } folder ? Path.GetFullPath(folder) : Directory.GetCurrentDirectory();
        // The world's manifests and assets: the working directory's when it has them (the repository), else the tool's.
        var assets = Hosting.BundledFolders.RootWith(working, Hosting.BundledFolders.Manifests, Hosting.BundledFolders.Rehearsal);
        var options = new RehearsalOptions(assets) { DeployVersionOne = TargetDefaults.NeedsVersionOne(target) };
        log.WriteLine($"Embedded world: starting the simulated cluster, PostgreSQL, Redis and the stand-in API for {target}...");
        RehearsalEnvironment world;
        try
        {
            world = await RehearsalEnvironment.StartAsync(options);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            log.WriteLine($"Embedded world could not start: {exception.Message}");
            return Hosting.ExitCodes.Failed;
        }

        await using var owned = world;
        var defaults = await TargetDefaults.ForAsync(target, world, working);
        log.WriteLine($"Embedded world: kubectl --kubeconfig {world.Cluster.KubeconfigPath} get all -n {RehearsalEnvironment.Namespace}");
        // Backups of this world stay with the rehearsal's files: never among real ones, never restored into another world.
        var backups = RehearsalPaths.Backups(working, Context.RunStore.NewRunId(DateTimeOffset.UtcNow));
        return host(Compose(arguments, [.. world.Arguments, "--environment=rehearsal", $"--backup-dir={backups}", .. defaults]));
    }

    /// <summary>The caller's arguments without --cluster=embedded, then each world argument the caller did not give.</summary>
    public static string[] Compose(IReadOnlyList<string> given, IEnumerable<string> world)
    {
        var named = given.Select(HostArguments.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return
        [
            .. given.Where(argument => !string.Equals(argument, Argument, StringComparison.OrdinalIgnoreCase)),
            .. world.Where(argument => HostArguments.Name(argument) is not { } name || !named.Contains(name)),
        ];
    }
}

/// <summary>The few host arguments read before the host starts (the host checks them all again).</summary>
public static class HostArguments
{
    public static string? Name(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal) ? argument[2..].Split('=', 2)[0] : null;

    public static string? Value(IReadOnlyList<string> arguments, string name) =>
        arguments.LastOrDefault(argument => string.Equals(Name(argument), name, StringComparison.OrdinalIgnoreCase) && argument.Contains('=')) is { } found
            ? found.Split('=', 2)[1]
            : null;

    public static string Target(IReadOnlyList<string> arguments)
    {
        for (var index = arguments.Count - 1; index >= 0; index--)
        {
            var argument = arguments[index];
            if (argument.StartsWith("--target=", StringComparison.OrdinalIgnoreCase) || argument.StartsWith("-t=", StringComparison.Ordinal))
            {
                return argument.Split('=', 2)[1];
            }

            if (argument is "--target" or "-t" && index + 1 < arguments.Count)
            {
                return arguments[index + 1];
            }
        }

        return "Default";
    }
}
