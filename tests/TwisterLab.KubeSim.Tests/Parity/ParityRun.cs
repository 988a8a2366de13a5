namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>Runs named cases one after the other; a case differs from v1.32 when it throws (an assertion or a timeout).</summary>
public static class ParityRun
{
    public static async Task<List<ParityOutcome>> AllAsync(string client, IEnumerable<(string Name, Func<Task> Body)> cases, TimeSpan perCase)
    {
        var outcomes = new List<ParityOutcome>();
        foreach (var (name, body) in cases)
        {
            try
            {
                await body().WaitAsync(perCase);
                outcomes.Add(new ParityOutcome(client, name, true, ""));
            }
            catch (Exception e)
            {
                var detail = e.Message.ReplaceLineEndings(" ");
                outcomes.Add(new ParityOutcome(client, name, false, detail.Length > 300 ? detail[..300] + "…" : detail));
            }
        }
        return outcomes;
    }

    /// <summary>
    /// A case run by an external client's script prints "PASS name" or "FAIL name: why" on its own line; a case the
    /// script announced ("CASE name") but never concluded (it crashed or hung) counts as a difference.
    /// </summary>
    public static List<ParityOutcome> FromScriptOutput(string client, string stdout, string stderr)
    {
        var outcomes = new List<ParityOutcome>();
        var announced = new List<string>();
        foreach (var line in stdout.Split('\n'))
        {
            if (line.StartsWith("CASE ")) announced.Add(line[5..].Trim());
            else if (line.StartsWith("PASS ")) outcomes.Add(new ParityOutcome(client, line[5..].Trim(), true, ""));
            else if (line.StartsWith("FAIL "))
            {
                var rest = line[5..];
                var colon = rest.IndexOf(':');
                outcomes.Add(new ParityOutcome(client, colon < 0 ? rest.Trim() : rest[..colon].Trim(), false, colon < 0 ? "" : rest[(colon + 1)..].Trim()));
            }
        }
        foreach (var name in announced.Where(n => outcomes.All(o => o.Case != n)))
            outcomes.Add(new ParityOutcome(client, name, false, "the script did not conclude this case: " + Tail(stderr)));
        return outcomes;
    }

    static string Tail(string text) => text.Length > 300 ? text[^300..] : text;
}
