using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Load;

/// <summary>What a load run does.</summary>
internal sealed record LoadOptions
{
    public required Uri Url { get; init; }

    /// <summary>Connections, and requests in flight at most.</summary>
    public int Concurrency { get; init; } = 16;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Requests per second on a fixed schedule (open loop), or null to send as fast as answers come back (closed loop).
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>Templates (one per subscription) the requests cycle through.</summary>
    public int Subscriptions { get; init; } = 100;

    public GeneratorOptions Generator { get; init; } = new();

    public IEnumerable<string> Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            yield return "--url must be an absolute http or https URL.";
        }

        if (Concurrency is < 1 or > 10_000)
        {
            yield return "--concurrency must be between 1 and 10000.";
        }

        if (Duration <= TimeSpan.Zero)
        {
            yield return "--duration must be positive.";
        }

        if (Rate is { } rate && (rate <= 0 || double.IsNaN(rate) || double.IsInfinity(rate)))
        {
            yield return "--rate must be positive.";
        }

        if (Subscriptions < 1)
        {
            yield return "--subscriptions must be at least 1.";
        }
    }
}

/// <summary>
/// Sends pre-generated pushes with C concurrent connections for T seconds. Closed loop by default; with a rate, open
/// loop: request n is due at start + n / rate and its latency counts from then, so a listener that stalls is charged
/// for the requests it held up (no coordinated omission).
/// </summary>
internal sealed class LoadRunner(ExchangeSender sender)
{
    public async Task<LoadSummary> RunAsync(LoadOptions options, LoadStats stats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        var time = sender.Time;
        var pool = new LoadBodyPool(options.Generator, options.Subscriptions, time.GetUtcNow());
        var started = time.GetTimestamp();
        long sequence = -1;

        async Task WorkAsync()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sequence);
                long from;
                if (options.Rate is { } rate)
                {
                    var due = TimeSpan.FromSeconds(n / rate);
                    if (due >= options.Duration)
                    {
                        return;
                    }

                    var wait = due - time.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken);
                    }

                    // Late: count from the scheduled time. Early (timers round): count from the actual send.
                    from = Math.Min(started + (long)(due.TotalSeconds * time.TimestampFrequency), time.GetTimestamp());
                }
                else
                {
                    if (time.GetElapsedTime(started) >= options.Duration)
                    {
                        return;
                    }

                    from = time.GetTimestamp();
                }

                var result = await sender.SendAsync(options.Url, pool.Build(n), pool.SoapVersion, "utf-8", from, captureReply: false, cancellationToken);
                stats.Record(result);
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: report what was done.
        }

        return stats.Summarize(options, time.GetElapsedTime(started));
    }
}
