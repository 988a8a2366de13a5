using System.Text;
using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Data;

/// <summary>
/// The rows a plain pg_dump script carries, per table, read from its COPY blocks ("COPY schema.table (...) FROM stdin;"
/// ... "\."). COPY's text format escapes newlines inside values, so each data line is one row. Streamed line by line:
/// an export of any size is counted without being held in memory. This is what a restore must reproduce, whatever
/// server the script came from (a Compose container this tool cannot query).
/// </summary>
public static partial class PlainDumpRows
{
    public static async Task<IReadOnlyDictionary<string, long>> CountAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        string? table = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (table is null)
            {
                if (CopyHeader().Match(line) is { Success: true } header)
                {
                    table = $"{Unquote(header.Groups["schema"].Value)}.{Unquote(header.Groups["table"].Value)}";
                    rows[table] = 0;
                }
            }
            else if (line == "\\.")
            {
                table = null;
            }
            else
            {
                rows[table]++;
            }
        }

        return table is null
            ? rows
            : throw new DataOperationException($"{path} ends inside the data of {table}: the export is truncated; export again.");
    }

    private static string Unquote(string identifier) =>
        identifier.StartsWith('"') ? identifier[1..^1].Replace("\"\"", "\"") : identifier;

    // pg_dump writes: COPY public.agents (id, name) FROM stdin;   identifiers quoted when they need it.
    [GeneratedRegex("""^COPY (?<schema>"(?:[^"]|"")+"|[^". ]+)\.(?<table>"(?:[^"]|"")+"|[^". ]+) .*FROM stdin;$""")]
    private static partial Regex CopyHeader();
}
