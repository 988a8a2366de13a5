namespace TwisterLab.Cake.Hosting;

/// <summary>A task the host registers with Cake's engine (Frosting's shape).</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    string SkippedMessage => string.Empty;

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
