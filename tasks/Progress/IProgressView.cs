namespace TwisterLab.Cake.Progress;

/// <summary>Where progress goes: plain timestamped lines (a CI log) or live bars (a terminal).</summary>
public interface IProgressView : IDisposable
{
    /// <summary>Called from the reporter's timer thread, or from the thread that ended an operation.</summary>
    void Show(ProgressSnapshot snapshot);
}

/// <summary>One line per update through <paramref name="writeLine"/> (the run's log, which stamps and redacts it).</summary>
public sealed class PlainProgressView(Action<string> writeLine) : IProgressView
{
    public void Show(ProgressSnapshot snapshot) => writeLine(snapshot.ToText());

    public void Dispose()
    {
    }
}
