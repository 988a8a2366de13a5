using System.Globalization;
using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Context;

/// <summary>Durations as kubectl writes them: 90s, 5m, 1h30m, 250ms.</summary>
public static partial class Durations
{
    /// <summary>Parses a duration; false for text that is not one and for one beyond what a TimeSpan holds.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (!TryParseMilliseconds(text, out var milliseconds) || milliseconds >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>The duration in milliseconds, as a double: never overflows, so a range check can name an absurd value.</summary>
    public static bool TryParseMilliseconds(string? text, out double milliseconds)
    {
        milliseconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(match => match.Value)) != text)
        {
            return false;
        }

        foreach (Match match in matches)
        {
            var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            milliseconds += amount * match.Groups["unit"].Value switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                _ => 3_600_000,
            };
        }

        return !double.IsInfinity(milliseconds);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration");

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds < 1000 ? $"{duration.TotalMilliseconds:0}ms"
        : duration.TotalSeconds < 60 || duration.TotalSeconds % 60 != 0 ? $"{duration.TotalSeconds:0.###}s"
        : duration.TotalMinutes < 60 || duration.TotalMinutes % 60 != 0 ? $"{duration.TotalMinutes:0}m"
        : $"{duration.TotalHours:0}h";

    [GeneratedRegex(@"(?<amount>\d+(\.\d+)?)(?<unit>ms|h|m|s)")]
    private static partial Regex Part();
}
