using System.Net;
using System.Runtime.InteropServices;
using TwisterLab.KubeSim;

// Standalone: dotnet run --project sim -- --port 6443 --kubeconfig ./kubeconfig [--pod-start-delay-ms 1000]
var options = new SimulatorOptions();
var exec = new LocalProcessExecHandler();
options.ExecHandler = exec;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": options.Port = int.Parse(Next()); break;
        case "--kubeconfig": options.KubeconfigPath = Next(); break;
        case "--pod-start-delay-ms": options.PodStartDelay = TimeSpan.FromMilliseconds(int.Parse(Next())); break;
        case "--https": options.Https = true; break;
        case "--never-ready-image": options.ImageRules.Add(new ImageRule(Next(), ImageBehavior.NeverReady)); break;
        case "--crashloop-image": options.ImageRules.Add(new ImageRule(Next(), ImageBehavior.CrashLoop)); break;
        case "--unpullable-image": options.ImageRules.Add(new ImageRule(Next(), ImageBehavior.Unpullable)); break;
        case "--port-forward":
            // IMAGE-GLOB:POD-PORT=HOST:PORT, e.g. 'postgres:*:5432=127.0.0.1:5432' (the glob may hold colons)
            var (pod, target) = (Next().Split('=', 2) is [var p, var t] ? (p, t) : throw new ArgumentException("--port-forward takes IMAGE-GLOB:POD-PORT=HOST:PORT"));
            var colon = pod.LastIndexOf(':');
            exec.WithPortForward(pod[..colon], int.Parse(pod[(colon + 1)..]), IPEndPoint.TryParse(target, out var ip) ? ip
                : new DnsEndPoint(target[..target.LastIndexOf(':')], int.Parse(target[(target.LastIndexOf(':') + 1)..])));
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: kubesim [--port N] [--kubeconfig PATH] [--https] [--pod-start-delay-ms MS] [--never-ready-image GLOB] [--crashloop-image GLOB] [--unpullable-image GLOB] [--port-forward IMAGE-GLOB:POD-PORT=HOST:PORT]...");
            return 0;
        default:
            Console.Error.WriteLine($"kubesim: unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

await using var cluster = await SimulatedCluster.StartAsync(options);
Console.WriteLine($"kubesim: Kubernetes API v1.32 simulator listening on {cluster.BaseUri}");
Console.WriteLine($"kubesim: kubeconfig written to {cluster.KubeconfigPath} (context {SimulatedCluster.ContextName})");
Console.WriteLine("kubesim: press Ctrl+C to stop");
var stopped = new TaskCompletionSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;   // shut down in order below instead of the runtime's abrupt exit
    stopped.TrySetResult();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await stopped.Task;
Console.WriteLine("kubesim: stopping");
return 0;
