using System.Globalization;

namespace TwisterLab.Cake.Metrics;

/// <summary>One sample line of the Prometheus text exposition format.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>Reads the Prometheus text format (the /metrics page): enough for counters, gauges and histograms.</summary>
public static class PrometheusText
{
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var braces = line.IndexOf('{');
            var nameEnd = braces >= 0 ? braces : line.IndexOf(' ');
            if (nameEnd <= 0)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var rest = line[nameEnd..];
            if (braces >= 0)
            {
                var close = line.IndexOf('}', braces);
                ParseLabels(line[(braces + 1)..close], labels);
                rest = line[(close + 1)..];
            }

            var value = rest.Trim().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || TryParseSpecial(value, out number))
            {
                samples.Add(new MetricSample(line[..nameEnd], labels, number));
            }
        }

        return samples;
    }

    private static void ParseLabels(string text, Dictionary<string, string> labels)
    {
        var position = 0;
        while (position < text.Length)
        {
            var equals = text.IndexOf('=', position);
            if (equals < 0)
            {
                return;
            }

            var name = text[position..equals].Trim().TrimStart(',').Trim();
            var start = text.IndexOf('"', equals) + 1;
            var end = start;
            while (end < text.Length && !(text[end] == '"' && text[end - 1] != '\\'))
            {
                end++;
            }

            labels[name] = text[start..end].Replace("\\\"", "\"");
            position = end + 1;
        }
    }

    private static bool TryParseSpecial(string value, out double number)
    {
        number = value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, _ => 0 };
        return value is "+Inf" or "-Inf" or "NaN";
    }
}
