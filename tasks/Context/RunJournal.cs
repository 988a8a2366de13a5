using System.Text.Json;
using System.Text.Json.Serialization;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Context;

/// <summary>
/// The undo stack of one run, written to <c>.twisterlab/runs/&lt;run-id&gt;/journal.json</c> (0600) after every
/// record, so that a killed process leaves behind exactly what it had changed; and, when the run reaches a cluster,
/// through <see cref="Mirror"/> into the namespace too (a lost machine must not take the undo with it).
/// </summary>
public sealed class RunJournal
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        TypeInfoResolver = RunFilesJson.ThenReflection,
    };

    private readonly List<JournalEntry> _entries;
    private readonly Lock _gate = new();

    /// <summary>The state of a run that has not concluded yet (kept as written when the process dies).</summary>
    public const string Running = "running";

    private RunJournal(string path, JournalFile file)
    {
        FilePath = path;
        RunId = file.RunId;
        Target = file.Target;
        Host = file.Host;
        Started = file.Started;
        State = file.State ?? Running;
        Binding = file.Cluster;
        _entries = file.Entries;
    }

    public string FilePath { get; }

    public string RunId { get; }

    public string Target { get; }

    /// <summary>The cluster, namespace and environment the changes were made on: the only place they may be undone.</summary>
    public ClusterBinding? Binding { get; }

    /// <summary>Who ran it, as user@machine.</summary>
    public string? Host { get; }

    public DateTimeOffset? Started { get; }

    /// <summary><see cref="Running"/> until the run concludes; then how it ended (succeeded, rolled-back, held, …).</summary>
    public string State { get; private set; }

    /// <summary>
    /// Called with the serialized journal after each local write, before the change the record guards (the cluster
    /// copy). An exception here stops the change: an undo that only one disk knows is not recorded enough.
    /// </summary>
    public Action<RunJournal, byte[]>? Mirror { get; set; }

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

    public static RunJournal Create(string path, string runId, string target, ClusterBinding? binding = null, string? host = null, DateTimeOffset? started = null) =>
        new(path, new JournalFile(runId, target, []) { Cluster = binding, Host = host, Started = started });

    public static RunJournal Load(string path) => FromBytes(path, File.ReadAllBytes(path));

    /// <summary>A journal read elsewhere (the cluster's copy), to be kept at <paramref name="path"/> from now on.</summary>
    public static RunJournal FromBytes(string path, byte[] json)
    {
        JournalFile? file;
        try
        {
            file = JsonSerializer.Deserialize<JournalFile>(json, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The journal '{path}' is damaged ({exception.Message.Split('.')[0]}): restore it from the cluster's copy (delete the file and run the Rollback again) or undo by hand.", exception);
        }

        return new RunJournal(path, file ?? throw new InvalidDataException($"The journal '{path}' is empty."));
    }

    /// <summary>Writes the journal as it is now (e.g. a cluster copy kept locally, or the mirror after it was attached).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            Save();
        }
    }

    /// <summary>Records how the run ended; a run that never gets here stays <see cref="Running"/> for whoever finds it.</summary>
    public void Conclude(string state)
    {
        lock (_gate)
        {
            State = state;
            Save();
        }
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
        PrivateFiles.CreateFolder(Path.GetDirectoryName(FilePath)!);
        var temporary = FilePath + ".tmp";
        var json = JsonSerializer.SerializeToUtf8Bytes(new JournalFile(RunId, Target, _entries) { Cluster = Binding, Host = Host, Started = Started, State = State }, Json);
        PrivateFiles.WriteAllBytes(temporary, json);
        File.Move(temporary, FilePath, overwrite: true);
        Mirror?.Invoke(this, json);
    }

    internal sealed record JournalFile(string RunId, string Target, List<JournalEntry> Entries)
    {
        public ClusterBinding? Cluster { get; init; }
        public string? Host { get; init; }
        public DateTimeOffset? Started { get; init; }
        public string? State { get; init; }
    }
}
