namespace PushListener.Hosting;

/// <summary>
/// Decides how a loop that retries (claims, lease renewals, a watchdog round) logs its failures during an outage: the
/// first with its exception, then at most one summary per <paramref name="summaryInterval"/> (the rest at Debug), and one
/// line when it works again. An outage of a minute is then a handful of lines, not one stack trace per retry. Failures
/// that come and go (a flapping database, several writers sharing one log) start at most one logged outage per
/// interval: the others stay at Debug, and so does their recovery.
/// </summary>
internal sealed partial class RepeatedFailureLog(TimeProvider time, TimeSpan summaryInterval)
{
    /// <summary>The summary interval of the service's loops: after an outage's first failure, a line a minute at most.</summary>
    public static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private long _failures;
    private DateTimeOffset _since;
    private DateTimeOffset _summarisedAt;
    private DateTimeOffset? _firstLoggedAt;
    private bool _outageLogged;
    private volatile bool _failing;

    /// <summary>Counts a failure and logs it: with <paramref name="first"/> (the exception in full) if it starts an outage, else as a summary or at Debug.</summary>
    public void Report(ILogger logger, string operation, Exception exception, Action<ILogger, Exception> first)
    {
        switch (Failed(out var failures, out var since))
        {
            case FailureLogLevel.First:
                first(logger, exception);
                break;
            case FailureLogLevel.Summary:
                StillFailing(logger, operation, failures, since, exception.Message);
                break;
            default:
                FailedAgain(logger, operation, exception.Message);
                break;
        }
    }

    /// <summary>
    /// Logs one line if an outage just ended. <paramref name="startedAt"/>: when the operation that succeeded began; one
    /// that began before the outage (a request already in flight) says nothing about its end.
    /// </summary>
    public void ReportSuccess(ILogger logger, string operation, DateTimeOffset? startedAt = null)
    {
        if (Succeeded(out var failures, out var lasted, startedAt))
        {
            WorksAgain(logger, operation, failures, lasted);
        }
    }

    /// <summary>Counts a failure; says whether to log it in full (the first), as a summary, or only at Debug.</summary>
    public FailureLogLevel Failed(out long failures, out DateTimeOffset since)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            failures = ++_failures;
            if (!_failing)
            {
                _failing = true;
                _since = _summarisedAt = now;
                since = now;
                // An outage that starts within the interval of the last one logged in full is a flap: Debug only.
                var last = _firstLoggedAt ?? now;
                _outageLogged = _firstLoggedAt is null || now - last >= summaryInterval;
                if (_outageLogged)
                {
                    _firstLoggedAt = now;
                    return FailureLogLevel.First;
                }

                // A flap that lasts gets its first summary one interval after the last line logged in full.
                _summarisedAt = last;
                return FailureLogLevel.Repeat;
            }

            since = _since;
            if (now - _summarisedAt >= summaryInterval)
            {
                _summarisedAt = now;
                _outageLogged = true;
                return FailureLogLevel.Summary;
            }

            return FailureLogLevel.Repeat;
        }
    }

    /// <summary>
    /// Ends an outage, if one was under way: true, with its failures and duration, the first time it works again after an
    /// outage that was logged (a flap that stayed at Debug ends quietly).
    /// </summary>
    public bool Succeeded(out long failures, out TimeSpan lasted, DateTimeOffset? startedAt = null)
    {
        failures = 0;
        lasted = TimeSpan.Zero;
        if (!_failing)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_failing || startedAt < _since)
            {
                return false;
            }

            failures = _failures;
            lasted = time.GetUtcNow() - _since;
            _failing = false;
            _failures = 0;
            return _outageLogged;
        }
    }

    [LoggerMessage(106, LogLevel.Warning, "{Operation} still fails: {Failures} failure(s) since {Since:O}; the last: {Error}")]
    private static partial void StillFailing(ILogger logger, string operation, long failures, DateTimeOffset since, string error);

    [LoggerMessage(107, LogLevel.Debug, "{Operation} failed again: {Error}")]
    private static partial void FailedAgain(ILogger logger, string operation, string error);

    [LoggerMessage(108, LogLevel.Information, "{Operation} works again, after {Failures} failure(s) over {Duration}")]
    private static partial void WorksAgain(ILogger logger, string operation, long failures, TimeSpan duration);
}

/// <summary>How to log one failure of a retrying loop (see <see cref="RepeatedFailureLog"/>).</summary>
internal enum FailureLogLevel
{
    /// <summary>The first of an outage: in full, with the exception.</summary>
    First,

    /// <summary>One a summary interval: a line with the count so far.</summary>
    Summary,

    /// <summary>Any other: Debug only.</summary>
    Repeat,
}
