using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>Another run holds the namespace's lock.</summary>
public sealed class RunLockHeldException(string @namespace, string holder, DateTime? since, DateTime? renewed)
    : ClusterException($"Another upgrade run holds the lock of namespace {@namespace}: '{holder}' since {since:u} (last renewed {renewed:u}). Wait for it to finish, or if that run is dead, its lease expires and the next run takes it over.", statusCode: 409)
{
    public string Holder { get; } = holder;

    public DateTime? Since { get; } = since;
}

/// <summary>This run held the lock and lost it: another run took the lease over while this one was not renewing.</summary>
public sealed class RunLockLostException(string @namespace, string newHolder)
    : ClusterException($"This run lost lease/{RunLock.LeaseName} in namespace {@namespace} to '{newHolder}' (it was paused or cut off past the lease duration) and changes nothing more. Check what that run did before deciding how to go on.", statusCode: 409)
{
    public string NewHolder { get; } = newHolder;
}

/// <summary>
/// One run at a time per namespace: a coordination.k8s.io/v1 Lease named <see cref="LeaseName"/>. Acquire at the start
/// (fails at once when another live run holds it; takes over a lease whose holder stopped renewing past its
/// duration), renewed in the background while running, released at the end (dispose).
/// </summary>
public sealed class RunLock : IAsyncDisposable
{
    public const string LeaseName = "twisterlab-upgrade-lock";

    private readonly ClusterScope _scope;
    private readonly string _holder;
    private readonly TimeSpan _duration;
    private CancellationTokenSource? _renewing;
    private Func<string, CancellationToken, Task>? _beforeTakingOver;
    private Task? _renewal;

    internal RunLock(ClusterScope scope, string holder, TimeSpan duration)
    {
        if (string.IsNullOrWhiteSpace(holder))
        {
            throw new ArgumentException("The lock holder needs a name (e.g. user@host run-id).", nameof(holder));
        }

        _scope = scope;
        _holder = holder;
        _duration = duration < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : duration;
    }

    public string Holder => _holder;

    /// <summary>True while held; false once released or lost (another run took it over after a renewal gap).</summary>
    public bool IsHeld { get; private set; }

    /// <summary>Set when a renewal found the lease taken by someone else.</summary>
    public string? LostTo { get; private set; }

    private string Where => $"lease/{LeaseName} in namespace {_scope.Namespace}";

    /// <summary>Throws unless this run still holds the lock by its own account (no API call; see <see cref="FenceAsync"/>).</summary>
    public void EnsureHeld()
    {
        if (!IsHeld)
        {
            throw LostTo is null
                ? new ClusterException($"This run does not hold {Where}. Acquire it first.")
                : new RunLockLostException(_scope.Namespace, LostTo);
        }
    }

    /// <summary>
    /// The fence before a change: proves, on the API server, that this run still holds the lease, by renewing it with
    /// a replace that carries the resourceVersion just read (a conditional update). A run that was paused (SIGSTOP, a
    /// frozen VM) past the lease duration while another run took over finds the other holder here and must stop: a
    /// cached flag would still say "held". Throws <see cref="RunLockLostException"/> naming the new holder.
    /// </summary>
    public async Task FenceAsync(CancellationToken cancellationToken)
    {
        EnsureHeld();
        for (var attempt = 0; ; attempt++)
        {
            var lease = await ReadAsync(cancellationToken);
            if (lease?.Spec?.HolderIdentity != _holder)
            {
                IsHeld = false;
                LostTo = lease?.Spec?.HolderIdentity ?? "(nobody: the lease was deleted)";
                throw new RunLockLostException(_scope.Namespace, LostTo);
            }

            lease.Spec.RenewTime = DateTime.UtcNow;
            try
            {
                await _scope.Api.CallAsync($"renew {Where}", token => _scope.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
                return;
            }
            catch (ClusterException exception) when (exception.StatusCode == 409 && attempt < 3)
            {
                // Our own background renewal (or a takeover) wrote in between: read again and decide on what is there now.
            }
        }
    }

    /// <summary>kubectl has no verb for taking a lease: this shows the lease to look at and who would take it.</summary>
    public string DescribeAcquire() =>
        $"{_scope.Kubectl.Namespaced("get", $"lease/{LeaseName}")}  # then create or take over spec.holderIdentity={_holder}, leaseDurationSeconds={(int)Math.Ceiling(_duration.TotalSeconds)}";

    /// <param name="beforeTakingOver">
    /// Called with the previous holder before an expired lease of another run is taken over; throws to refuse (that
    /// run may have died mid-change and left its undo behind).
    /// </param>
    public async Task AcquireAsync(CancellationToken cancellationToken, Func<string, CancellationToken, Task>? beforeTakingOver = null)
    {
        _beforeTakingOver = beforeTakingOver;
        var existing = await ReadAsync(cancellationToken);
        var now = DateTime.UtcNow;
        if (existing is null)
        {
            var lease = new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = _scope.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = ClusterGateway.FieldManager } },
                Spec = new V1LeaseSpec { HolderIdentity = _holder, LeaseDurationSeconds = (int)Math.Ceiling(_duration.TotalSeconds), AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
            };
            try
            {
                await _scope.Api.CallAsync($"create {Where}", token => _scope.Client.CoordinationV1.CreateNamespacedLeaseAsync(lease, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
            }
            catch (ClusterException exception) when (exception.StatusCode == 409)
            {
                // Someone created it between our read and our create (or our create's retry after a drop did).
                await AcquireExistingAsync(await ReadAsync(cancellationToken), cancellationToken);
                StartRenewing();
                return;
            }
        }
        else
        {
            await AcquireExistingAsync(existing, cancellationToken);
        }

        StartRenewing();
    }

    private async Task AcquireExistingAsync(V1Lease? existing, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            throw new ClusterException($"Cannot acquire {Where}: it vanished while being taken. Run again.");
        }

        var spec = existing.Spec ?? new V1LeaseSpec();
        var holder = spec.HolderIdentity;
        if (!string.IsNullOrEmpty(holder) && holder != _holder && !IsExpired(spec, DateTime.UtcNow))
        {
            throw new RunLockHeldException(_scope.Namespace, holder, spec.AcquireTime, spec.RenewTime);
        }

        if (!string.IsNullOrEmpty(holder) && holder != _holder && _beforeTakingOver is not null)
        {
            await _beforeTakingOver(holder, cancellationToken);
        }

        var now = DateTime.UtcNow;
        var takeover = holder != _holder;
        existing.Spec = new V1LeaseSpec
        {
            HolderIdentity = _holder,
            LeaseDurationSeconds = (int)Math.Ceiling(_duration.TotalSeconds),
            AcquireTime = takeover ? now : spec.AcquireTime ?? now,
            RenewTime = now,
            LeaseTransitions = (spec.LeaseTransitions ?? 0) + (takeover && !string.IsNullOrEmpty(holder) ? 1 : 0),
        };
        try
        {
            // Replace carries the resourceVersion we read: if another run took it meanwhile, this is a 409.
            await _scope.Api.CallAsync($"take over {Where}", token => _scope.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(existing, LeaseName, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }
        catch (ClusterException exception) when (exception.StatusCode == 409)
        {
            var now2 = await ReadAsync(cancellationToken);
            if (now2?.Spec?.HolderIdentity is { } other && other != _holder)
            {
                throw new RunLockHeldException(_scope.Namespace, other, now2.Spec.AcquireTime, now2.Spec.RenewTime);
            }

            throw;
        }
    }

    /// <summary>Expired = not renewed within its duration (renewTime + leaseDurationSeconds is past).</summary>
    public static bool IsExpired(V1LeaseSpec spec, DateTime now)
    {
        var last = spec.RenewTime ?? spec.AcquireTime;
        return last is null || last.Value.ToUniversalTime() + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 0) < now;
    }

    /// <summary>Renews now (the background loop calls this every third of the duration).</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var lease = await ReadAsync(cancellationToken);
        if (lease?.Spec?.HolderIdentity != _holder)
        {
            IsHeld = false;
            LostTo = lease?.Spec?.HolderIdentity ?? "(nobody: the lease was deleted)";
            return;
        }

        lease.Spec.RenewTime = DateTime.UtcNow;
        try
        {
            await _scope.Api.CallAsync($"renew {Where}", token => _scope.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }
        catch (ClusterException exception) when (exception.StatusCode == 409)
        {
            // Changed under us: the next renewal re-reads and finds out whether it is still ours.
        }
    }

    public string DescribeRelease() => _scope.Kubectl.Namespaced("delete", "lease", LeaseName).ToString();

    /// <summary>Stops renewing and deletes the lease if it is still ours. Idempotent.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await StopRenewingAsync();
        var lease = await ReadAsync(cancellationToken);
        if (lease?.Spec?.HolderIdentity == _holder)
        {
            var preconditions = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion, Uid = lease.Metadata.Uid } };
            try
            {
                await _scope.Api.FindAsync($"release {Where}", token => _scope.Client.CoordinationV1.DeleteNamespacedLeaseAsync(LeaseName, _scope.Namespace, preconditions, cancellationToken: token), cancellationToken);
            }
            catch (ClusterException exception) when (exception.StatusCode == 409)
            {
                // Renewed or taken over in the meantime: not ours to delete any more.
            }
        }

        IsHeld = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (IsHeld)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await ReleaseAsync(limit.Token);
        }

        await StopRenewingAsync();
    }

    private Task<V1Lease?> ReadAsync(CancellationToken cancellationToken) =>
        _scope.Api.FindAsync($"get {Where}", token => _scope.Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, _scope.Namespace, cancellationToken: token), cancellationToken);

    private void StartRenewing()
    {
        IsHeld = true;
        LostTo = null;
        _renewing = new CancellationTokenSource();
        var token = _renewing.Token;
        _renewal = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(_duration / 3);
            while (IsHeld && await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    await RenewAsync(token);
                }
                catch (ClusterException)
                {
                    // A missed renewal is not fatal while the lease has time left; the next tick tries again.
                }
            }
        }, token);
    }

    private async Task StopRenewingAsync()
    {
        if (_renewing is null)
        {
            return;
        }

        await _renewing.CancelAsync();
        try
        {
            await (_renewal ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }

        _renewing.Dispose();
        _renewing = null;
        _renewal = null;
    }
}
