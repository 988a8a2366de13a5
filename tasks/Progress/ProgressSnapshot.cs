namespace TwisterLab.Cake.Progress;

/// <summary>A meter as read at one moment: what a view shows.</summary>
public sealed record ProgressSnapshot(
    int Id,
    string Operation,
    ProgressUnit Unit,
    long Done,
    long? Total,
    string? Status,
    TimeSpan Elapsed,
    bool Quiet = false,
    bool Finished = false)
{
    /// <summary>Units per second since the start; null before there is anything to divide.</summary>
    public double? Rate => Elapsed.TotalSeconds >= 0.001 && Done > 0 ? Done / Elapsed.TotalSeconds : null;

    /// <summary>Time left at the average rate so far; null without a total or a rate.</summary>
    public TimeSpan? Eta => Total is { } total && Rate is { } rate && total >= Done ? TimeSpan.FromSeconds((total - Done) / rate) : null;

    public double? Fraction => Total is > 0 and var total ? Math.Min(1, (double)Done / total) : null;

    public string ToText() => ProgressText.Line(this);
}
