using System.Text.Json;
using System.Text.Json.Serialization;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Context;

/// <summary>
/// The undo stack of one run, written to <c>.twisterlab/runs/&lt;run-id&gt;/journal.json</c> after every change,
/// so that a killed process leaves behind exactly what it had changed.
/// </summary>
public sealed class RunJournal
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly List<JournalEntry> _entries;
    private readonly Lock _gate = new();

    private RunJournal(string path, string runId, string target, List<JournalEntry> entries, ClusterBinding? binding)
    {
        FilePath = path;
        RunId = runId;
        Target = target;
        _entries = entries;
        Binding = binding;
    }

    public string FilePath { get; }

    public string RunId { get; }

    public string Target { get; }

    /// <summary>The cluster, namespace and environment the changes were made on: the only place they may be undone.</summary>
    public ClusterBinding? Binding { get; }

    public IReadOnlyList<JournalEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToList();
            }
        }
    }

    /// <summary>What is still to undo, last change first.</summary>
    public IReadOnlyList<JournalEntry> PendingInReverse => Entries.Where(entry => entry.Status != CompensationStatus.Applied).Reverse().ToList();

    public static RunJournal Create(string path, string runId, string target, ClusterBinding? binding = null) => new(path, runId, target, [], binding);

    public static RunJournal Load(string path)
    {
        var file = JsonSerializer.Deserialize<JournalFile>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"The journal '{path}' is empty.");
        return new RunJournal(path, file.RunId, file.Target, file.Entries, file.Cluster);
    }

    /// <summary>Records how to undo a change. Call it before making the change.</summary>
    public JournalEntry Record(string step, Compensation compensation)
    {
        lock (_gate)
        {
            var entry = new JournalEntry
            {
                Sequence = _entries.Count + 1,
                Step = step,
                Kind = compensation.GetType().Name,
                Description = compensation.Describe(),
                Data = JsonSerializer.SerializeToElement(compensation, compensation.GetType(), Json),
                RecordedAt = DateTimeOffset.UtcNow,
                Irreversible = compensation.Irreversible,
            };
            _entries.Add(entry);
            Save();
            return entry;
        }
    }

    public void MarkApplied(JournalEntry entry) => Finish(entry, CompensationStatus.Applied, error: null);

    public void MarkFailed(JournalEntry entry, string error) => Finish(entry, CompensationStatus.Failed, error);

    private void Finish(JournalEntry entry, CompensationStatus status, string? error)
    {
        lock (_gate)
        {
            entry.Status = status;
            entry.Error = error;
            entry.FinishedAt = DateTimeOffset.UtcNow;
            Save();
        }
    }

    // Written to a temporary file and renamed, so a kill mid-write never leaves a torn journal.
    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new JournalFile(RunId, Target, _entries, Binding), Json));
        File.Move(temporary, FilePath, overwrite: true);
    }

    private sealed record JournalFile(string RunId, string Target, List<JournalEntry> Entries, ClusterBinding? Cluster = null);
}
