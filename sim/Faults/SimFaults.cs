using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim;

/// <summary>How an injected request fault answers.</summary>
public enum RequestFault
{
    None,
    /// <summary>500 InternalError Status.</summary>
    InternalError,
    /// <summary>429 TooManyRequests Status with Retry-After: 1.</summary>
    TooManyRequests,
    /// <summary>The connection is aborted without an answer.</summary>
    Drop,
}

/// <summary>
/// Fault injection while the cluster runs: image rules for the simulated kubelet, failing requests, dropped watches
/// and NotReady nodes. Thread-safe; every change takes effect on the next request or controller tick.
/// </summary>
public sealed class SimFaults
{
    readonly object gate = new();
    readonly List<ImageRule> imageRules;
    readonly List<RequestRule> requestRules = [];
    readonly List<(string CommandPattern, long StdoutBytes)> execDrops = [];
    ObjectStore? store;

    sealed class RequestRule(string method, string pathPattern, int nth, RequestFault fault, int times)
    {
        public int Seen;
        public int Remaining = times;
        public string Method { get; } = method;
        public string PathPattern { get; } = pathPattern;
        public int Nth { get; } = nth;
        public RequestFault Fault { get; } = fault;
    }

    internal SimFaults(IEnumerable<ImageRule> initialRules) => imageRules = initialRules.ToList();

    internal void Attach(ObjectStore attached) => store = attached;

    /// <summary>Pods whose image matches never become Ready (the readiness probe keeps failing).</summary>
    public void MakeImageNeverReady(string imagePattern) => AddImageRule(new ImageRule(imagePattern, ImageBehavior.NeverReady));

    /// <summary>Pods whose image matches crash-loop: CrashLoopBackOff with a rising restartCount.</summary>
    public void MakeImageCrashLoop(string imagePattern) => AddImageRule(new ImageRule(imagePattern, ImageBehavior.CrashLoop));

    /// <summary>Pods whose image matches cannot pull it: ErrImagePull, then ImagePullBackOff.</summary>
    public void MakeImageUnpullable(string imagePattern) => AddImageRule(new ImageRule(imagePattern, ImageBehavior.Unpullable));

    /// <summary>Pods whose image matches become Ready only this long after their containers started.</summary>
    public void DelayReadiness(string imagePattern, TimeSpan delay) => AddImageRule(new ImageRule(imagePattern, ImageBehavior.Healthy, delay));

    /// <summary>Adds a rule; the most recently added matching rule wins.</summary>
    public void AddImageRule(ImageRule rule)
    {
        lock (gate) imageRules.Add(rule);
    }

    public void ClearImageRules()
    {
        lock (gate) imageRules.Clear();
    }

    internal ImageRule RuleFor(string image)
    {
        lock (gate)
            return imageRules.LastOrDefault(r => r.Matches(image)) ?? new ImageRule("*", ImageBehavior.Healthy);
    }

    /// <summary>
    /// The <paramref name="nth"/> request (1 = the next) whose method and path match fails with <paramref name="fault"/>,
    /// and so do the <paramref name="times"/>-1 matching requests after it. <paramref name="pathPattern"/> is a glob over
    /// the URL path, e.g. <c>/apis/apps/v1/namespaces/*/deployments/*</c>; method "*" matches any.
    /// </summary>
    public void FailRequest(string method, string pathPattern, RequestFault fault, int nth = 1, int times = 1)
    {
        lock (gate) requestRules.Add(new RequestRule(method, pathPattern, nth, fault, times));
    }

    public void ClearRequestFaults()
    {
        lock (gate)
        {
            requestRules.Clear();
            execDrops.Clear();
        }
    }

    internal RequestFault TakeRequestFault(string method, string path)
    {
        lock (gate)
        {
            foreach (var rule in requestRules)
            {
                if (rule.Remaining <= 0) continue;
                if (rule.Method != "*" && !rule.Method.Equals(method, StringComparison.OrdinalIgnoreCase)) continue;
                if (!Glob.IsMatch(rule.PathPattern, path)) continue;
                rule.Seen++;
                if (rule.Seen < rule.Nth) continue;
                rule.Remaining--;
                return rule.Fault;
            }
            return RequestFault.None;
        }
    }

    /// <summary>
    /// The next exec whose command line (words joined by spaces) matches the glob loses its connection once it has sent
    /// <paramref name="stdoutBytes"/> bytes of stdout: the socket is aborted with no exit status and no close
    /// handshake, as when an apiserver restarts or a node dies in the middle of a <c>kubectl exec ... &gt; file</c>.
    /// </summary>
    public void DropExecAfter(long stdoutBytes, string commandPattern = "*")
    {
        lock (gate) execDrops.Add((commandPattern, stdoutBytes));
    }

    /// <summary>Takes the first armed exec drop matching the command; null when none is armed.</summary>
    internal long? TakeExecDrop(IReadOnlyList<string> command)
    {
        // A script argument (sh -c '...') spans lines; the glob matches one line.
        var line = string.Join(' ', command).ReplaceLineEndings(" ");
        lock (gate)
        {
            var index = execDrops.FindIndex(drop => Glob.IsMatch(drop.CommandPattern, line));
            if (index < 0) return null;
            var bytes = execDrops[index].StdoutBytes;
            execDrops.RemoveAt(index);
            return bytes;
        }
    }

    /// <summary>Ends every open watch stream now, as an apiserver restart would. Returns how many were open.</summary>
    public int DropWatches() => store?.DropAllWatches() ?? 0;

    /// <summary>Sets the node's Ready condition (False = NotReady). Pods on a NotReady node report Ready=False.</summary>
    public void SetNodeReady(string nodeName, bool ready)
    {
        var s = store ?? throw new InvalidOperationException("the cluster is not started");
        s.Mutate(ResourceCatalog.Nodes, null, nodeName, node =>
        {
            Controllers.NodeStatus.SetReady(node, ready);
            return node;
        });
    }
}
