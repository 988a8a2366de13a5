using System.Text;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// Console.Error is one per process and chain tests run side by side: swapping it per test let one test restore the
/// stream while another's run was still writing its refusal there. A router is installed once instead, and each
/// capture receives only what its own async flow (the run the test started) writes.
/// </summary>
public static class ConsoleErrorCapture
{
    private static readonly AsyncLocal<TextWriter?> Current = new();
    private static readonly Lazy<TextWriter> Router = new(() =>
    {
        var router = new RoutingWriter(Console.Error);
        Console.SetError(router);
        return router;
    });

    /// <summary>Until disposed, what this flow writes to Console.Error goes to <paramref name="into"/>.</summary>
    public static IDisposable Into(TextWriter into)
    {
        _ = Router.Value;
        Current.Value = TextWriter.Synchronized(into);
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Current.Value = null;
    }

    private sealed class RoutingWriter(TextWriter fallback) : TextWriter
    {
        private TextWriter Target => Current.Value ?? fallback;

        public override Encoding Encoding => fallback.Encoding;

        public override void Write(char value) => Target.Write(value);

        public override void Write(string? value) => Target.Write(value);

        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);

        public override void WriteLine(string? value) => Target.WriteLine(value);

        public override void Flush() => Target.Flush();
    }
}
