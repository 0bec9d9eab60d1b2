namespace PushListener.Pipeline;

/// <summary>How one handler fared with one notification.</summary>
internal enum HandlerStatus
{
    /// <summary>Ran and returned a result.</summary>
    Succeeded,

    /// <summary>Threw.</summary>
    Failed,

    /// <summary>Did not finish within its timeout.</summary>
    TimedOut,

    /// <summary>Its filter did not select the notification.</summary>
    Filtered,

    /// <summary>An earlier handler stopped the pipeline.</summary>
    NotReached,

    /// <summary>Already succeeded on an earlier attempt; not run again.</summary>
    AlreadyDone,
}

/// <summary>One handler's result for one notification.</summary>
internal readonly record struct HandlerOutcome(string Handler, HandlerStatus Status, HandlerVerdict Verdict, string? Detail, bool StopPipeline = false)
{
    public bool IsFailure => Status is HandlerStatus.Failed or HandlerStatus.TimedOut;
}
