namespace PushListener.Hosting;

/// <summary>
/// Decides how a loop that retries (claims, lease renewals, a watchdog round) logs its failures during an outage: the
/// first with its exception, then at most one summary per <paramref name="summaryInterval"/> (the rest at Debug), and one
/// line when it works again. An outage of a minute is then a handful of lines, not one stack trace per retry.
/// </summary>
internal sealed class RepeatedFailureLog(TimeProvider time, TimeSpan summaryInterval)
{
    private readonly Lock _gate = new();
    private long _failures;
    private DateTimeOffset _since;
    private DateTimeOffset _summarisedAt;
    private volatile bool _failing;

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
                return FailureLogLevel.First;
            }

            since = _since;
            if (now - _summarisedAt >= summaryInterval)
            {
                _summarisedAt = now;
                return FailureLogLevel.Summary;
            }

            return FailureLogLevel.Repeat;
        }
    }

    /// <summary>Ends an outage, if one was under way: true, with its failures and duration, the first time it works again.</summary>
    public bool Succeeded(out long failures, out TimeSpan lasted)
    {
        failures = 0;
        lasted = TimeSpan.Zero;
        if (!_failing)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_failing)
            {
                return false;
            }

            failures = _failures;
            lasted = time.GetUtcNow() - _since;
            _failing = false;
            _failures = 0;
            return true;
        }
    }
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
