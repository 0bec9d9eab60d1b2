namespace PushListener;

/// <summary>What a handler decided. A value type: returning it allocates nothing.</summary>
public readonly record struct HandlerResult
{
    private HandlerResult(HandlerVerdict verdict, string? reason, bool stopPipeline)
    {
        Verdict = verdict;
        Reason = reason;
        StopPipeline = stopPipeline;
    }

    /// <summary>Carry on: the next handler runs; this handler does not ask to end the subscription.</summary>
    public static HandlerResult Continue { get; }

    /// <summary>Carry on, but call no further handler for this notification (short-circuit).</summary>
    public static HandlerResult Stop(string? reason = null) => new(HandlerVerdict.Continue, reason, stopPipeline: true);

    /// <summary>
    /// Vote to end the subscription: Exchange is answered <c>Unsubscribe</c>. Any single vote wins. Later handlers still run
    /// unless <paramref name="stopPipeline"/> is set.
    /// </summary>
    public static HandlerResult Unsubscribe(string reason, bool stopPipeline = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(HandlerVerdict.Unsubscribe, reason, stopPipeline);
    }

    /// <summary>The vote.</summary>
    public HandlerVerdict Verdict { get; }

    /// <summary>Why, for the log; required for <see cref="HandlerVerdict.Unsubscribe"/>.</summary>
    public string? Reason { get; }

    /// <summary>When set, no later handler is called for this notification.</summary>
    public bool StopPipeline { get; }
}

/// <summary>A handler's vote on the subscription.</summary>
public enum HandlerVerdict
{
    /// <summary>Keep the subscription (answer <c>OK</c> unless someone else votes otherwise).</summary>
    Continue,

    /// <summary>End the subscription (answer <c>Unsubscribe</c>).</summary>
    Unsubscribe,
}
