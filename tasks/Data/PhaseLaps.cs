using System.Diagnostics;

namespace TwisterLab.Cake.Data;

/// <summary>A stopwatch read lap by lap: how long each named phase of an operation took, in order, for its report.</summary>
public sealed class PhaseLaps
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Name, double Seconds)> _laps = [];

    public IReadOnlyList<(string Name, double Seconds)> Laps => _laps;

    /// <summary>Ends the phase that ran since the previous lap (or since this was made) under <paramref name="name"/>.</summary>
    public void Lap(string name)
    {
        _laps.Add((name, Math.Round(_clock.Elapsed.TotalSeconds, 3)));
        _clock.Restart();
    }
}
