using System.Text.Json.Nodes;
using System.Threading.Channels;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Store;

/// <summary>
/// A live watch. The store pushes into a bounded channel without ever waiting, so a slow watcher cannot block
/// writers; a watcher that falls too far behind is closed, and its client re-lists as it would against a real apiserver.
/// </summary>
internal sealed class Watcher : IDisposable
{
    const int Capacity = 10_000;
    readonly Channel<WatchLine> channel = Channel.CreateBounded<WatchLine>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    readonly Action<Watcher> onDispose;

    public Watcher(ResourceType resource, string? ns, Func<JsonObject, bool> matches, Action<Watcher> onDispose)
    {
        Resource = resource;
        Namespace = ns;
        Matches = matches;
        this.onDispose = onDispose;
    }

    public ResourceType Resource { get; }
    public string? Namespace { get; }
    public Func<JsonObject, bool> Matches { get; }
    public ChannelReader<WatchLine> Reader => channel.Reader;

    /// <summary>Called under the store lock: decides how this watcher sees the event, and never blocks.</summary>
    internal void Offer(StoredEvent e)
    {
        if (e.Resource != Resource) return;
        if (Namespace is not null && e.Namespace != Namespace) return;
        var now = e.Type != "DELETED" && Matches(e.Object);
        var before = e.Previous is not null && Matches(e.Previous);
        string? type = e.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => Matches(e.Object) ? "DELETED" : null,
            _ => (before, now) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is null) return;
        if (!channel.Writer.TryWrite(new WatchLine(type, e)))
            channel.Writer.TryComplete();
    }

    internal void Push(WatchLine line)
    {
        if (!channel.Writer.TryWrite(line)) channel.Writer.TryComplete();
    }

    /// <summary>Ends the stream, as a dropped watch (fault injection or overflow) would.</summary>
    public void Close(Exception? error = null) => channel.Writer.TryComplete(error);

    public void Dispose()
    {
        Close();
        onDispose(this);
    }
}
