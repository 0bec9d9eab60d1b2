using System.Diagnostics;
using PushListener.Telemetry;

namespace PushListener.Pipeline;

/// <summary>
/// The ordered handlers, built once at start-up. Runs each selected handler in turn with its own timeout, isolating
/// exceptions and timeouts (logged with the handler's name and the subscription id), honouring short-circuits, and
/// collecting Unsubscribe votes.
/// </summary>
internal sealed class NotificationPipeline : IAsyncDisposable
{
    private readonly PipelineStep[] _steps;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PushListenerMetrics? _metrics;

    public NotificationPipeline(IEnumerable<HandlerRegistration> registrations, IServiceProvider services, IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers, PushListenerMetrics? metrics = null)
    {
        _metrics = metrics;
        _scopes = scopes;
        _time = time;
        _logger = loggers.CreateLogger<NotificationPipeline>();
        var ordered = registrations.Select((r, i) => (r, i)).OrderBy(x => x.r.Order).ThenBy(x => x.i).Select(x => x.r).ToList();
        var duplicate = ordered.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two handlers are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(r => r.Source))}); handler names must be unique.");
        }

        _steps = ordered.Select(r => new PipelineStep(r, CreateHandler(r, services), loggers.CreateLogger("PushListener.Handlers." + r.Name))).ToArray();
        MayUnsubscribe = _steps.Any(s => s.Handler.MayUnsubscribe);
        PipelineLog.PipelineBuilt(_logger, _steps.Length == 0 ? "(no handlers)" : string.Join(" -> ", _steps.Select(s => $"{s.Name} [{s.Registration.Source}]")));
    }

    public IReadOnlyList<string> HandlerNames => _steps.Select(s => s.Name).ToArray();

    /// <summary>Whether any handler declared it may vote Unsubscribe (<see cref="INotificationHandler.MayUnsubscribe"/>).</summary>
    public bool MayUnsubscribe { get; }

    /// <summary>
    /// Runs the pipeline for one message. <paramref name="alreadyDone"/> names handlers that succeeded on an earlier
    /// attempt and are not run again.
    /// </summary>
    public ValueTask<PipelineOutcome> RunAsync(NotificationMessage message, PushMetadata push, int attempt, IReadOnlySet<string>? alreadyDone, CancellationToken cancellationToken) =>
        RunCoreAsync(message, null, push, attempt, alreadyDone, cancellationToken);

    /// <summary>Runs the pipeline for a lifecycle event: only handlers that opted in are called.</summary>
    public ValueTask<PipelineOutcome> RunLifecycleAsync(LifecycleEvent lifecycle, PushMetadata push, int attempt, IReadOnlySet<string>? alreadyDone, CancellationToken cancellationToken)
    {
        if (attempt == 1)
        {
            _metrics?.LifecycleEvent(lifecycle.Kind.ToString());
        }

        return RunCoreAsync(null, lifecycle, push, attempt, alreadyDone, cancellationToken);
    }

    private async ValueTask<PipelineOutcome> RunCoreAsync(NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push, int attempt, IReadOnlySet<string>? alreadyDone, CancellationToken cancellationToken)
    {
        var outcomes = new HandlerOutcome[_steps.Length];
        var stopped = false;
        await using var scope = _scopes.CreateAsyncScope();
        for (var i = 0; i < _steps.Length; i++)
        {
            var step = _steps[i];
            if (stopped)
            {
                outcomes[i] = new(step.Name, HandlerStatus.NotReached, HandlerVerdict.Continue, null);
                continue;
            }

            if (alreadyDone is not null && alreadyDone.Contains(step.Name))
            {
                outcomes[i] = new(step.Name, HandlerStatus.AlreadyDone, HandlerVerdict.Continue, null);
                continue;
            }

            NotificationMessage? view = null;
            if (lifecycle is not null ? !step.SelectLifecycle(lifecycle) : !step.Select(message!, out view))
            {
                outcomes[i] = new(step.Name, HandlerStatus.Filtered, HandlerVerdict.Continue, null);
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            outcomes[i] = await RunStepAsync(step, view, lifecycle, push, attempt, scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
            stopped = outcomes[i].StopPipeline;
        }

        return new PipelineOutcome(outcomes);
    }

    private async ValueTask<HandlerOutcome> RunStepAsync(PipelineStep step, NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push, int attempt, IServiceProvider services, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = PushActivities.StartHandler(step.Name, attempt);
        var outcome = await RunHandlerAsync(step, message, lifecycle, push, attempt, services, cancellationToken).ConfigureAwait(false);
        var (result, errorType) = outcome.Status switch
        {
            HandlerStatus.Failed => ("failure", outcome.Detail is { } detail && detail.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? detail[..colon] : "error"),
            HandlerStatus.TimedOut => ("timeout", "timeout"),
            _ => ("success", (string?)null),
        };
        _metrics?.HandlerRan(step.Name, result, errorType, Stopwatch.GetElapsedTime(started));
        if (errorType is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Detail);
        }

        return outcome;
    }

    private async ValueTask<HandlerOutcome> RunHandlerAsync(PipelineStep step, NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push, int attempt, IServiceProvider services, CancellationToken cancellationToken)
    {
        var subscriptionId = message?.SubscriptionId ?? lifecycle?.SubscriptionId;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(step.Registration.Timeout);
        try
        {
            var context = lifecycle is not null
                ? new NotificationContext(lifecycle, push, attempt, step.Logger, services, timeout.Token)
                : new NotificationContext(message!, push, attempt, step.Logger, services, timeout.Token);
            var pending = step.Handler.HandleAsync(context);
            // Handlers that finish synchronously (log, null, filtered-out feeds) skip the timeout machinery; for the others,
            // WaitAsync bounds handlers that ignore their token too: the pipeline moves on, the straggler is abandoned.
            var result = pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(step.Registration.Timeout, _time, cancellationToken).ConfigureAwait(false);
            if (result.Verdict == HandlerVerdict.Unsubscribe)
            {
                PipelineLog.UnsubscribeVote(_logger, step.Name, subscriptionId, result.Reason);
            }
            else if (result.StopPipeline)
            {
                PipelineLog.PipelineStopped(_logger, step.Name, subscriptionId, result.Reason);
            }

            return new(step.Name, HandlerStatus.Succeeded, result.Verdict, result.Reason, result.StopPipeline);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested)))
        {
            PipelineLog.HandlerTimedOut(_logger, step.Name, step.Registration.Timeout, subscriptionId, attempt);
            return new(step.Name, HandlerStatus.TimedOut, HandlerVerdict.Continue, $"timed out after {step.Registration.Timeout}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            PipelineLog.HandlerFailed(_logger, step.Name, subscriptionId, attempt, ex);
            return new(step.Name, HandlerStatus.Failed, HandlerVerdict.Continue, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>Disposes the handlers the pipeline created from configuration (files, HTTP clients).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var step in _steps.Where(s => s.Registration.Source == "configuration"))
        {
            switch (step.Handler)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static INotificationHandler CreateHandler(HandlerRegistration registration, IServiceProvider services)
    {
        try
        {
            return registration.Factory(services);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Handler '{registration.Name}' ({registration.HandlerType.FullName}, from {registration.Source}) could not be created: {ex.Message}", ex);
        }
    }
}
