namespace PushListener.Health;

/// <summary>
/// Whether the last push the inbox was asked to store was taken. The endpoint reports each outcome; readiness reads it:
/// after a refusal (a full disk, a full database), the service is not ready until a probe write of the refused push's
/// size commits, so a load balancer stops sending pushes the store cannot take and sends them again once it can.
/// </summary>
internal sealed class InboxWriteState
{
    private readonly Lock _gate = new();
    private Refusal? _refusal;
    private long _taken;

    /// <summary>Pushes taken so far: a cached "does not take writes" is stale once this moves.</summary>
    public long TakenCount => Interlocked.Read(ref _taken);

    /// <summary>The outstanding refusal, or null when the last push was taken (or the store recovered since).</summary>
    public Refusal? Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _refusal;
            }
        }
    }

    public void Taken()
    {
        Interlocked.Increment(ref _taken);
        if (Volatile.Read(ref _refusal) is null)
        {
            return;
        }

        lock (_gate)
        {
            _refusal = null;
        }
    }

    public void Refused(int bodyBytes, Exception error, DateTimeOffset at)
    {
        lock (_gate)
        {
            _refusal = new Refusal(bodyBytes, error.Message, at);
        }
    }

    /// <summary>Clears <paramref name="refusal"/> if it is still the outstanding one (a probe of its size succeeded).</summary>
    public void Recovered(Refusal refusal)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_refusal, refusal))
            {
                _refusal = null;
            }
        }
    }

    /// <summary>A push the store did not take: its size, the error, when.</summary>
    internal sealed record Refusal(int BodyBytes, string Error, DateTimeOffset At);
}
