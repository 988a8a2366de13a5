using TwisterLab.Cake.Context;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.DemoHost;

/// <summary>Puts a file back as it was (absent, or with its old content).</summary>
public sealed record RestoreFile(string Path, string? PreviousContent) : Compensation
{
    public override string Describe() => PreviousContent is null ? $"rm {Path}" : $"restore {Path}";
}

/// <summary>Also appends to undo.log, so tests can count that each undo ran exactly once, and in which order.</summary>
public sealed class RestoreFileHandler : CompensationHandler<RestoreFile>
{
    protected override Task ApplyAsync(RestoreFile compensation, CancellationToken cancellationToken)
    {
        if (compensation.PreviousContent is null)
        {
            File.Delete(compensation.Path);
        }
        else
        {
            File.WriteAllText(compensation.Path, compensation.PreviousContent);
        }

        File.AppendAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(compensation.Path)!, "undo.log"), System.IO.Path.GetFileName(compensation.Path) + "\n");
        return Task.CompletedTask;
    }
}
