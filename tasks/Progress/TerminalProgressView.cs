using Spectre.Console;

namespace TwisterLab.Cake.Progress;

/// <summary>
/// Live bars on a terminal (Spectre.Console's progress display, the one Cake.Cli ships): started with the first
/// update, ended when no operation is left. Every line also goes to <paramref name="record"/> (the log file), so the
/// run's record does not depend on where it was watched.
/// </summary>
public sealed class TerminalProgressView(IAnsiConsole console, Action<string> record) : IProgressView
{
    private readonly Dictionary<int, ProgressSnapshot> _latest = [];
    private Task? _live;

    public void Show(ProgressSnapshot snapshot)
    {
        record(snapshot.ToText());
        lock (_latest)
        {
            _latest[snapshot.Id] = snapshot;
            _live ??= Task.Run(() => console.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new SpinnerColumn(), new ProgressBarColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                .StartAsync(RenderAsync));
        }
    }

    private async Task RenderAsync(ProgressContext context)
    {
        var bars = new Dictionary<int, ProgressTask>();
        while (true)
        {
            List<ProgressSnapshot> latest;
            lock (_latest)
            {
                if (_latest.Count == 0)
                {
                    _live = null;
                    return;
                }

                latest = [.. _latest.Values];
                foreach (var done in latest.Where(snapshot => snapshot.Finished))
                {
                    _latest.Remove(done.Id);
                }
            }

            foreach (var snapshot in latest)
            {
                if (!bars.TryGetValue(snapshot.Id, out var bar))
                {
                    bars[snapshot.Id] = bar = context.AddTask(Markup.Escape(snapshot.Operation), maxValue: 1);
                }

                bar.Description = Markup.Escape(snapshot.ToText());
                bar.IsIndeterminate = snapshot.Fraction is null && !snapshot.Finished;
                bar.Value = snapshot.Finished ? 1 : snapshot.Fraction ?? 0;
                if (snapshot.Finished)
                {
                    bar.StopTask();
                }
            }

            context.Refresh();
            await Task.Delay(ProgressReporter.TerminalInterval);
        }
    }

    public void Dispose()
    {
        Task? live;
        lock (_latest)
        {
            _latest.Clear();
            live = _live;
        }

        live?.Wait(TimeSpan.FromSeconds(2));
    }
}
