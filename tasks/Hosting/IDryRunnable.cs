namespace TwisterLab.Cake.Hosting;

/// <summary>
/// A task that can say what it would do. In a dry run the host calls this instead of the task's body;
/// a task without it is only named ("would run X").
/// </summary>
public interface IDryRunnable
{
    Task DryRunAsync(ICakeContext context);
}
