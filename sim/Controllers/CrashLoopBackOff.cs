namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// kubelet's crash-loop back-off: 10 s after the first crash, then doubling (20 s, 40 s …) up to 5 min
/// (pkg/kubelet/kubelet.go, backOffPeriod = 10 s, MaxContainerBackOff = 300 s). The simulator keeps that order on a
/// fast clock: one PodStartDelay of wall time stands for 10 s, so tests see the sequence in well under a second.
/// </summary>
internal static class CrashLoopBackOff
{
    /// <summary>How many restarts have happened after <paramref name="running"/> of crash-looping, and the back-off now shown ("10s", "20s" …, "5m0s").</summary>
    public static (long Restarts, string BackOff) At(TimeSpan running, TimeSpan unit)
    {
        if (unit <= TimeSpan.Zero) unit = TimeSpan.FromMilliseconds(1);
        long restarts = 0;   // the first crash shows restartCount 0 and a 10 s back-off, as kubelet reports it
        var seconds = 10;
        var elapsed = TimeSpan.Zero;
        while (true)
        {
            var wait = unit * (seconds / 10.0);
            if (elapsed + wait > running) break;
            elapsed += wait;
            restarts++;
            seconds = Math.Min(seconds * 2, 300);
        }
        return (restarts, seconds >= 300 ? "5m0s" : $"{seconds}s");
    }
}
