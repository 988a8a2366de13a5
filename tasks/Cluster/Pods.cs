using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>A command to run in a pod of a deployment; stdin/stdout may be files (streamed, never held in memory).</summary>
/// <param name="Deployment">The deployment whose Ready pod runs it (kubectl exec deployment/x picks one).</param>
/// <param name="Command">The command and its arguments (no shell unless you run one).</param>
/// <param name="Container">The container; null = the first one.</param>
/// <param name="StdinFile">Streamed to the command's stdin, which is then closed (psql restore).</param>
/// <param name="StdoutFile">The command's stdout is streamed into this file (pg_dump).</param>
/// <param name="Progress">Counts the bytes streamed to stdin and from stdout (a restore's archive, a dump into a file).</param>
public sealed record ExecRequest(string Deployment, IReadOnlyList<string> Command, string? Container = null, string? StdinFile = null, string? StdoutFile = null, Progress.ProgressMeter? Progress = null);

/// <summary>How an exec ended. <see cref="Stdout"/> is only kept when no stdout file or stream was given.</summary>
public sealed record ExecResult(string Pod, int ExitCode, string Stdout, string Stderr, long StdoutBytes)
{
    /// <summary>
    /// Throws unless the command exited 0, with the end of its stderr. Stderr may echo credentials (psql prints its
    /// connection string on some errors): the step that logs this message passes it through the secret redactor.
    /// </summary>
    public ExecResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            var tail = Stderr.Length > 600 ? "..." + Stderr[^600..] : Stderr;
            throw new ClusterException($"{what} failed in pod/{Pod}: command terminated with exit code {ExitCode}{(tail.Length == 0 ? "" : $": {tail.TrimEnd()}")}");
        }

        return this;
    }
}

/// <summary>Pods: wait until pods are Ready; exec in a pod of a deployment.</summary>
public sealed class Pods
{
    private const int MaxCapturedChars = 64 * 1024;
    private readonly ClusterScope _scope;
    private readonly Deployments _deployments;

    internal Pods(ClusterScope scope, Deployments deployments)
    {
        _scope = scope;
        _deployments = deployments;
    }

    public string DescribeWaitReady(string labelSelector, TimeSpan timeout) => CommandWaitReady(labelSelector, timeout).ToString();

    public KubectlCommand CommandWaitReady(string labelSelector, TimeSpan timeout) =>
        _scope.Kubectl.Namespaced("wait", "--for=condition=ready", "pod", "-l", labelSelector, $"--timeout={(long)Math.Ceiling(timeout.TotalSeconds)}s");

    /// <summary>
    /// Waits (by watch) until at least one pod matches <paramref name="labelSelector"/> and every matching pod is Ready.
    /// Returns their names. A pod that cannot pull its image or crash-loops past <paramref name="crashLoopRestarts"/>
    /// fails at once; the timeout fails with each not-ready pod and its reason.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitReadyAsync(string labelSelector, TimeSpan timeout, CancellationToken cancellationToken, int crashLoopRestarts = 3)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var pods = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in _scope.WatchPods(labelSelector, null, allNamespaces: false, limit.Token))
            {
                if (update.IsSnapshot)
                {
                    pods = update.Snapshot!.ToDictionary(pod => pod.Metadata.Name, StringComparer.Ordinal);
                }
                else if (update.Type == WatchEventType.Deleted)
                {
                    pods.Remove(update.Object!.Metadata.Name);
                }
                else
                {
                    pods[update.Object!.Metadata.Name] = update.Object;
                }

                var live = pods.Values.Where(pod => pod.Metadata.DeletionTimestamp is null).ToList();
                var fatal = live.Select(pod => (pod.Metadata.Name, Problem: RolloutRules.FatalProblem(pod, crashLoopRestarts))).Where(entry => entry.Problem is not null).ToList();
                if (fatal.Count > 0)
                {
                    throw new RolloutFailedException($"pods -l {labelSelector} in namespace {_scope.Namespace} will not become ready:", RolloutFailure.PodFailing,
                        fatal.Select(entry => new PodProblem(entry.Name, entry.Problem!)).ToList());
                }

                if (live.Count > 0 && live.All(RolloutRules.IsReady))
                {
                    return live.Select(pod => pod.Metadata.Name).OrderBy(name => name, StringComparer.Ordinal).ToList();
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }

        var problems = pods.Values.Where(pod => !RolloutRules.IsReady(pod))
            .Select(pod => new PodProblem(pod.Metadata.Name, RolloutRules.NotReadyReason(pod) ?? "terminating")).OrderBy(p => p.Pod, StringComparer.Ordinal).ToList();
        throw new RolloutFailedException(
            pods.Count == 0
                ? $"timed out waiting for the condition: no pod matches -l {labelSelector} in namespace {_scope.Namespace} after {timeout.TotalSeconds:0.#}s. Check the labels and that the workload was applied."
                : $"timed out waiting for the condition: pods -l {labelSelector} in namespace {_scope.Namespace} not Ready after {timeout.TotalSeconds:0.#}s:",
            RolloutFailure.TimedOut,
            problems);
    }

    public string DescribeExec(ExecRequest request) => CommandExec(request).ToString();

    /// <summary>kubectl exec [-i] deployment/x [-c c] -- command; the file redirections are shell syntax around it.</summary>
    public KubectlCommand CommandExec(ExecRequest request)
    {
        var arguments = new List<object> { "exec" };
        if (request.StdinFile is not null)
        {
            arguments.Add("-i");
        }

        arguments.Add($"deployment/{request.Deployment}");
        if (request.Container is not null)
        {
            arguments.Add("-c");
            arguments.Add(request.Container);
        }

        var command = _scope.Kubectl.Namespaced(arguments.ToArray());
        var items = command.Items.Concat(new[] { new KubectlArgument("--") }).Concat(request.Command.Select(part => new KubectlArgument(part))).ToList();
        var redirections = string.Join(" ", new[]
        {
            request.StdinFile is null ? null : $"< {KubectlCommand.Quote(request.StdinFile)}",
            request.StdoutFile is null ? null : $"> {KubectlCommand.Quote(request.StdoutFile)}",
        }.Where(part => part is not null));
        return new KubectlCommand(items) { ShellSuffix = redirections.Length == 0 ? null : redirections };
    }

    /// <summary>
    /// Runs the command in a Ready pod of the deployment over the v5 WebSocket exec protocol. Stdout is streamed to the
    /// file (or kept, up to 64 KiB, when none), stdin streamed from the file and then closed, stderr captured (64 KiB).
    /// Returns the exit code; a non-zero one is returned, not thrown (the caller decides), but a failure to run is thrown.
    /// </summary>
    public async Task<ExecResult> ExecAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        Stream? stdoutFile = request.StdoutFile is null ? null : new FileStream(request.StdoutFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        try
        {
            return await ExecCoreAsync(request, stdoutFile, cancellationToken);
        }
        finally
        {
            if (stdoutFile is not null)
            {
                await stdoutFile.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Like <see cref="ExecAsync(ExecRequest, CancellationToken)"/>, but the command's stdout is written, frame by frame
    /// as it arrives, into <paramref name="stdoutSink"/> (a pg_dump archive into a hashing file stream): nothing of it is
    /// kept in memory, <see cref="ExecResult.Stdout"/> stays empty. The sink is flushed, not disposed. A connection
    /// that drops before the exit status arrives throws a <see cref="ClusterException"/>: the output is then incomplete.
    /// </summary>
    public Task<ExecResult> ExecAsync(ExecRequest request, Stream stdoutSink, CancellationToken cancellationToken)
    {
        if (request.StdoutFile is not null)
        {
            throw new ArgumentException("Give either a stdout file or a stdout stream, not both.", nameof(request));
        }

        return ExecCoreAsync(request, stdoutSink, cancellationToken);
    }

    private async Task<ExecResult> ExecCoreAsync(ExecRequest request, Stream? stdoutSink, CancellationToken cancellationToken)
    {
        if (request.Command.Count == 0)
        {
            throw new ArgumentException("The exec command is empty.", nameof(request));
        }

        if (request.StdinFile is not null && !File.Exists(request.StdinFile))
        {
            throw new FileNotFoundException($"The exec input file '{request.StdinFile}' does not exist.", request.StdinFile);
        }

        var pod = await PickPodAsync(request.Deployment, cancellationToken);
        var container = request.Container ?? pod.Spec.Containers[0].Name;
        if (pod.Spec.Containers.All(candidate => candidate.Name != container))
        {
            throw new ClusterException($"Cannot exec in pod/{pod.Metadata.Name} of deployment/{request.Deployment}: it has no container '{container}' (it has: {string.Join(", ", pod.Spec.Containers.Select(c => c.Name))}).");
        }

        var what = $"exec in pod/{pod.Metadata.Name} (deployment/{request.Deployment}) in namespace {_scope.Namespace}";
        using var socket = await _scope.Api.CallAsync(what, token => _scope.Client.WebSocketNamespacedPodExecAsync(
            pod.Metadata.Name, _scope.Namespace, request.Command, container,
            stderr: true, stdin: request.StdinFile is not null, stdout: true, tty: false,
            webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, cancellationToken: token), cancellationToken);

        var session = new ExecSession(socket, stdoutSink is null ? null : new Progress.ProgressStream(stdoutSink, request.Progress, leaveOpen: true), request.Progress);
        var sending = request.StdinFile is null ? Task.CompletedTask : session.SendStdinAsync(request.StdinFile, cancellationToken);
        try
        {
            await session.ReceiveAsync(cancellationToken);
        }
        catch (WebSocketException exception)
        {
            // The apiserver, the kubelet or the network went away mid-stream: the output is cut short and no exit
            // status came, so the command's outcome is unknown. Never report it as a success.
            throw new ClusterException($"Cannot {what}: the connection dropped after {session.StdoutBytes:N0} bytes of output, before the command's exit status ({exception.Message.TrimEnd('.')}). Run again; if it persists, check the pod (kubectl describe pod).");
        }

        await sending;
        var exitCode = session.ExitCode(what);
        return new ExecResult(pod.Metadata.Name, exitCode, session.Stdout, session.Stderr, session.StdoutBytes);
    }

    private async Task<V1Pod> PickPodAsync(string deployment, CancellationToken cancellationToken)
    {
        var found = await _deployments.GetAsync(deployment, cancellationToken);
        var selector = Selectors.ToQuery(found.Spec.Selector);
        var pods = await _scope.Api.CallAsync($"list pods of deployment/{deployment} in namespace {_scope.Namespace}",
            token => _scope.Client.CoreV1.ListNamespacedPodAsync(_scope.Namespace, labelSelector: selector, cancellationToken: token), cancellationToken);
        return pods.Items.Where(RolloutRules.IsReady).OrderBy(pod => pod.Metadata.CreationTimestamp).FirstOrDefault()
            ?? pods.Items.Where(pod => pod.Status?.Phase == "Running" && pod.Metadata.DeletionTimestamp is null).FirstOrDefault()
            ?? throw new ClusterException($"Cannot exec in deployment/{deployment} in namespace {_scope.Namespace}: it has no running pod. Check kubectl get pods -l {selector}.");
    }

    /// <summary>The v5.channel.k8s.io framing: [channel] + payload per binary message; [255, channel] closes a channel.</summary>
    private sealed class ExecSession(WebSocket socket, Stream? stdoutSink, Progress.ProgressMeter? sent)
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly MemoryStream _status = new();
        private readonly Decoder _stdoutDecoder = Encoding.UTF8.GetDecoder();
        private readonly Decoder _stderrDecoder = Encoding.UTF8.GetDecoder();
        private readonly SemaphoreSlim _send = new(1, 1);

        public long StdoutBytes { get; private set; }

        public string Stdout => _stdout.ToString();

        public string Stderr => _stderr.ToString();

        public async Task SendStdinAsync(string path, CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                int read;
                while ((read = await input.ReadAsync(buffer.AsMemory(1, buffer.Length - 1), cancellationToken)) > 0)
                {
                    buffer[0] = (byte)ChannelIndex.StdIn;
                    await SendAsync(buffer.AsMemory(0, read + 1), cancellationToken);
                    sent?.Add(read);
                }

                await SendAsync(new byte[] { 255, (byte)ChannelIndex.StdIn }, cancellationToken);
            }
            catch (WebSocketException)
            {
                // The command ended (and the server closed) before reading all its input: its exit code tells.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            await _send.WaitAsync(cancellationToken);
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                }
            }
            finally
            {
                _send.Release();
            }
        }

        // Answers the server's close; shares the send lock, since stdin may still be sending.
        private async Task CloseAsync()
        {
            if (!await _send.WaitAsync(TimeSpan.FromSeconds(5)))
            {
                socket.Abort(); // stdin is stuck in a send the server no longer reads
                return;
            }

            try
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
                // The server did not wait for our half of the close handshake: nothing left to do.
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                byte? channel = null;
                while (true)
                {
                    ValueWebSocketReceiveResult result;
                    try
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    }
                    catch (WebSocketException) when (_status.Length > 0)
                    {
                        return; // the status arrived; a close without handshake after it is harmless
                    }

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync();
                        return;
                    }

                    var payload = buffer.AsMemory(0, result.Count);
                    if (channel is null)
                    {
                        if (payload.Length == 0)
                        {
                            continue;
                        }

                        channel = payload.Span[0];
                        payload = payload[1..];
                    }

                    await WriteAsync(channel.Value, payload, cancellationToken);
                    if (result.EndOfMessage)
                    {
                        channel = null;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                if (stdoutSink is not null)
                {
                    await stdoutSink.FlushAsync(CancellationToken.None);
                }
            }
        }

        private async Task WriteAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            switch ((ChannelIndex)channel)
            {
                case ChannelIndex.StdOut:
                    StdoutBytes += payload.Length;
                    if (stdoutSink is not null)
                    {
                        await stdoutSink.WriteAsync(payload, cancellationToken);
                    }
                    else
                    {
                        Append(_stdout, _stdoutDecoder, payload.Span);
                    }

                    break;
                case ChannelIndex.StdErr:
                    Append(_stderr, _stderrDecoder, payload.Span);
                    break;
                case ChannelIndex.Error:
                    _status.Write(payload.Span);
                    break;
            }
        }

        private static void Append(StringBuilder target, Decoder decoder, ReadOnlySpan<byte> bytes)
        {
            if (target.Length >= MaxCapturedChars)
            {
                return;
            }

            var chars = new char[decoder.GetCharCount(bytes, flush: false)];
            decoder.GetChars(bytes, chars, flush: false);
            target.Append(chars, 0, Math.Min(chars.Length, MaxCapturedChars - target.Length));
        }

        /// <summary>The exit code from the channel-3 Status: Success = 0; NonZeroExitCode carries it in causes[ExitCode].</summary>
        public int ExitCode(string what)
        {
            if (_status.Length == 0)
            {
                throw new ClusterException($"Cannot {what}: the connection closed without an exit status. Run again; if it persists, check the pod (kubectl describe pod).");
            }

            var status = KubernetesJson.Deserialize<V1Status>(Encoding.UTF8.GetString(_status.ToArray()));
            if (status.Status == "Success")
            {
                return 0;
            }

            var code = status.Details?.Causes?.FirstOrDefault(cause => cause.Reason == "ExitCode")?.Message;
            if (status.Reason == "NonZeroExitCode" && int.TryParse(code, out var exitCode))
            {
                return exitCode;
            }

            throw new ClusterException($"Cannot {what}: {status.Message ?? status.Reason ?? "the command could not be run"}. Check that the command exists in the container.");
        }
    }
}
