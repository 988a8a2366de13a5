using System.ComponentModel;
using Cake.Cli;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Spectre.Console.Cli;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>Frosting's command line, option for option.</summary>
internal sealed class DefaultCommandSettings : CommandSettings
{
    [CommandOption("-t|--target|--Target <TARGET>")]
    [Description("Target task to invoke (repeatable). Default lists the targets.")]
    public string[]? Targets { get; init; }

    [CommandOption("-w|--working <PATH>")]
    [TypeConverter(typeof(global::Cake.Cli.DirectoryPathConverter))]
    [Description("Sets the working directory.")]
    public DirectoryPath? WorkingDirectory { get; init; }

    [CommandOption("-v|--verbosity <VERBOSITY>")]
    [Description("Quiet, Minimal, Normal, Verbose or Diagnostic (q/m/n/v/d).")]
    public string? VerbosityName { get; init; }

    [CommandOption("--description|--descriptions|--showdescription|--showdescriptions")]
    [Description("Shows the description of each task.")]
    public bool Description { get; init; }

    [CommandOption("--tree|--showtree")]
    [Description("Shows the task dependency tree.")]
    public bool Tree { get; init; }

    [CommandOption(HostRunOptions.DryRunOptions)]
    [Description("Prints the plan: what each step would do, as the commands an operator knows. Changes nothing.")]
    public bool DryRun { get; init; }

    [CommandOption("-e|--exclusive")]
    [Description("Runs the target without its dependencies.")]
    public bool Exclusive { get; init; }

    [CommandOption("--version|--ver")]
    [Description("Prints the version.")]
    public bool Version { get; init; }

    [CommandOption("--info")]
    [Description("Prints information about the host.")]
    public bool Info { get; init; }

    /// <summary>Parsed here rather than by Spectre, so that a wrong value gets a message that names the choices.</summary>
    public Verbosity Verbosity
    {
        get
        {
            if (VerbosityName is null)
            {
                return Verbosity.Normal;
            }

            try
            {
                return (Verbosity)new VerbosityConverter().ConvertFrom(VerbosityName)!;
            }
            catch (Exception)
            {
                throw new BadInputException($"--verbosity: '{VerbosityName}' is not a verbosity (quiet, minimal, normal, verbose, diagnostic, or q/m/n/v/d).");
            }
        }
    }

    public IReadOnlyList<string> TargetsOrDefault => Targets is { Length: > 0 } ? Targets : ["Default"];
}
