namespace TwisterLab.Cake.Tests.Pipelines;

/// <summary>
/// Reads /proc/&lt;pid&gt;/cmdline of every process on the machine, over and over while a run goes on, and keeps every
/// command line that holds the secret; it also names the children of the watched hosts it saw, so a test can prove it
/// looked while they ran (a pg_dump that came and went unseen proves nothing).
/// </summary>
public sealed class ArgvWatch : IDisposable
{
    private readonly string _secret;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _hosts = [];
    private readonly List<string> _leaks = [];
    private readonly HashSet<string> _children = [];

    public ArgvWatch(string secret)
    {
        _secret = secret;
        _thread = new Thread(Watch) { IsBackground = true, Name = "argv watch" };
        _thread.Start();
    }

    /// <summary>A host process whose children's names are collected.</summary>
    public void WatchChildrenOf(int pid)
    {
        lock (_gate) _hosts.Add(pid);
    }

    public IReadOnlyList<string> Leaks
    {
        get { lock (_gate) return [.. _leaks]; }
    }

    /// <summary>The program names (argv[0]'s file name) of the watched hosts' children.</summary>
    public HashSet<string> Children
    {
        get { lock (_gate) return _children.ToHashSet(); }
    }

    private void Watch()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid))
                {
                    continue;
                }

                var argv = Read(Path.Combine(folder, "cmdline"));
                if (argv is null || argv.Length == 0)
                {
                    continue;
                }

                var line = argv.Replace('\0', ' ').Trim();
                lock (_gate)
                {
                    if (line.Contains(_secret, StringComparison.Ordinal) && _leaks.Count < 20)
                    {
                        _leaks.Add($"{pid}: {line}");
                    }

                    if (_hosts.Count > 0 && ParentOf(folder) is { } parent && _hosts.Contains(parent))
                    {
                        _children.Add(Path.GetFileName(argv.Split('\0')[0]));
                    }
                }
            }

            Thread.Sleep(1);
        }
    }

    private static int? ParentOf(string folder)
    {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
        var stat = Read(Path.Combine(folder, "stat"));
        var fields = stat?[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields is { Length: > 1 } && int.TryParse(fields[1], out var parent) ? parent : null;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null; // the process ended between listing and reading
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
