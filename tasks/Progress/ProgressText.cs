using System.Globalization;

namespace TwisterLab.Cake.Progress;

/// <summary>
/// A snapshot as one line a person or a CI log reads: amount (of total, percent), rate, ETA, status.
/// "backup twisterlab: 1.2 GB of 3.0 GB (40 %), 31.5 MB/s, ETA 0:57".
/// </summary>
public static class ProgressText
{
    public static string Line(ProgressSnapshot snapshot)
    {
        var parts = new List<string>();
        if (snapshot.Unit == ProgressUnit.None)
        {
            parts.Add(snapshot.Finished ? $"done after {Clock(snapshot.Elapsed)}"
                : snapshot.Quiet ? $"still waiting after {Clock(snapshot.Elapsed)}" : $"waiting {Clock(snapshot.Elapsed)}");
        }
        else
        {
            parts.Add(Amount(snapshot));
            if (snapshot.Unit != ProgressUnit.Samples && snapshot.Rate is { } rate)
            {
                parts.Add(Rate(snapshot.Unit, rate));
            }

            parts.Add(snapshot.Finished ? $"done in {Clock(snapshot.Elapsed)}"
                : snapshot.Eta is { } eta ? $"ETA {Clock(eta)}" : $"{Clock(snapshot.Elapsed)} so far");
        }

        if (!string.IsNullOrEmpty(snapshot.Status))
        {
            parts.Add(snapshot.Status);
        }

        return $"{snapshot.Operation}: {string.Join(", ", parts)}";
    }

    private static string Amount(ProgressSnapshot snapshot) => snapshot.Unit switch
    {
        ProgressUnit.Samples => $"{snapshot.Done}/{snapshot.Total?.ToString(CultureInfo.InvariantCulture) ?? "?"} samples",
        _ when snapshot.Total is { } total => $"{Quantity(snapshot.Unit == ProgressUnit.Rows ? ProgressUnit.None : snapshot.Unit, snapshot.Done)} of {Quantity(snapshot.Unit, total)} ({snapshot.Fraction * 100:0} %)",
        _ => Quantity(snapshot.Unit, snapshot.Done),
    };

    public static string Quantity(ProgressUnit unit, double amount) => unit switch
    {
        ProgressUnit.Bytes => Bytes(amount),
        ProgressUnit.Rows => string.Create(CultureInfo.InvariantCulture, $"{amount:N0} rows"),
        _ => amount.ToString("N0", CultureInfo.InvariantCulture),
    };

    private static string Rate(ProgressUnit unit, double perSecond) => unit switch
    {
        ProgressUnit.Bytes => $"{Bytes(perSecond)}/s",
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0} {unit.ToString().ToLowerInvariant()}/s"),
    };

    private static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var unit = 0;
        while (bytes >= 1000 && unit < units.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B") : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    /// <summary>m:ss, or h:mm:ss past an hour.</summary>
    public static string Clock(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{(int)span.TotalMinutes}:{span.Seconds:00}";
}
