using System.Runtime.InteropServices;

namespace TwisterLab.Cake.Hosting;

/// <summary>
/// Turns the first Ctrl+C or SIGTERM into a cancellation the running step can observe, so the run fails
/// cleanly and its teardown can roll back. A second signal is left to the runtime and ends the process.
/// </summary>
public sealed class HostCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public HostCancellation()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    public CancellationToken Token => _source.Token;

    public string? Reason { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }

        Reason = context.Signal.ToString();
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        _registrations.ForEach(registration => registration.Dispose());
        _source.Dispose();
    }
}
