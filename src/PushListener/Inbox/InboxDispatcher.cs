using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using PushListener.Hosting;
using PushListener.Pipeline;
using PushListener.Protocol;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Inbox;

/// <summary>
/// Runs the pipeline on stored entries. It claims pending entries from the <see cref="IEntryLog"/> under a lease (woken by
/// the <see cref="IDispatchNotifier"/>, and every second for leases that ran out and entries other processes made
/// pending), holding at most <see cref="InboxOptions.MaxInMemoryEntries"/>, and renews its leases while it holds them.
/// Claimed entries queue per subscription, so each subscription is delivered in order while subscriptions run in
/// parallel up to <see cref="InboxOptions.Concurrency"/>. Failed handlers are retried (Polly: exponential backoff with
/// jitter) without re-running those that succeeded; after <see cref="InboxOptions.MaxAttempts"/> the entry becomes a dead
/// letter. Votes go to the <see cref="ReplyDecision"/>.
/// </summary>
internal sealed partial class InboxDispatcher : BackgroundService
{
    private const int ClaimBatch = 512;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // During an outage, at most one line a minute per failing loop after the first.
    private const string ClaimOperation = "Claiming inbox entries";
    private const string RenewOperation = "Renewing the dispatcher's leases";
    private static readonly ResiliencePropertyKey<int> BaseAttempts = new("PushListener.BaseAttempts");
    private static readonly ResiliencePropertyKey<int> MaxAttemptsKey = new("PushListener.MaxAttempts");
    private readonly IEntryLog _entries;
    private readonly IDispatchNotifier _notifier;
    private readonly NotificationPipeline _pipeline;
    private readonly ReplyDecision _decision;
    private readonly RegistrationCatalog _registrations;
    private readonly StartupGate _startup;
    private readonly InboxOptions _options;
    private readonly TimeProvider _time;
    private readonly RepeatedFailureLog _claimFailures;
    private readonly RepeatedFailureLog _renewFailures;
    private readonly ILogger _logger;
    private readonly PushListenerMetrics? _metrics;
    private readonly ResiliencePipeline<PipelineOutcome> _retry;
    private readonly SemaphoreSlim _concurrency;
    private readonly Dictionary<string, Queue<ClaimedEntry>> _queues = new(StringComparer.Ordinal);
    private readonly HashSet<long> _held = [];
    private readonly ConcurrentDictionary<Task, bool> _drains = new();
    // The parse cache, private to the dispatcher: the messages of one push share one stored body, parsed once.
    private readonly Dictionary<long, ParsedBody> _bodies = [];
    // Messages the requests parsed already (taken from the ParsedMessageCache at claim), by entry id.
    private readonly Dictionary<long, NotificationMessage> _messages = [];
    private readonly ParsedMessageCache _parsed;
    private int _inMemory;

    public InboxDispatcher(IEntryLog entries, IDispatchNotifier notifier, NotificationPipeline pipeline, ReplyDecision decision, RegistrationCatalog registrations, StartupGate startup, IOptions<InboxOptions> options, TimeProvider time, ILogger<InboxDispatcher> logger, ParsedMessageCache parsed, PushListenerMetrics? metrics = null)
    {
        _parsed = parsed;
        _metrics = metrics;
        _entries = entries;
        _notifier = notifier;
        _pipeline = pipeline;
        _decision = decision;
        _registrations = registrations;
        _startup = startup;
        _options = options.Value;
        _time = time;
        _claimFailures = new RepeatedFailureLog(time, RepeatedFailureLog.OneMinute);
        _renewFailures = new RepeatedFailureLog(time, RepeatedFailureLog.OneMinute);
        _logger = logger;
        _concurrency = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        Owner = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");
        _retry = new ResiliencePipelineBuilder<PipelineOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<PipelineOutcome>
            {
                // Attempts survive restarts: the entry's stored count plus this run's decide whether another is allowed.
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Result is { HasFailures: true }
                    && args.Context.Properties.GetValue(BaseAttempts, 0) + args.AttemptNumber + 1 < args.Context.Properties.GetValue(MaxAttemptsKey, 1)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                MaxDelay = _options.MaxRetryDelay,
            })
            .Build();
    }

    /// <summary>This dispatcher's name on its claims.</summary>
    public string Owner { get; }

    /// <summary>Entries held in memory now.</summary>
    public int InMemory => Volatile.Read(ref _inMemory);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _startup.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var renewals = RenewLeasesAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var room = _options.MaxInMemoryEntries - Volatile.Read(ref _inMemory);
                var claimed = room > 0 ? await ClaimAsync(Math.Min(room, ClaimBatch), stoppingToken).ConfigureAwait(false) : 0;
                _claimFailures.ReportSuccess(_logger, ClaimOperation);

                if (claimed == Math.Min(room, ClaimBatch) && claimed > 0)
                {
                    continue; // there may be more
                }

                await _notifier.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The store may be briefly unavailable; the dispatcher must survive it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogClaimFailure(ex);
                try
                {
                    await Task.Delay(PollInterval, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(_drains.Keys).ConfigureAwait(false);
        await renewals.ConfigureAwait(false);
        try
        {
            // Whatever is left runs elsewhere (or after the restart) at once, without waiting for the leases to run out.
            await _entries.ReleaseLeasesAsync(Owner, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Shutting down: the leases run out by themselves.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReleaseFailed(_logger, ex);
        }
    }

    // During an outage the claim fails every PollInterval: the first in full, then a summary a minute (RepeatedFailureLog).
    private void LogClaimFailure(Exception ex) => _claimFailures.Report(_logger, ClaimOperation, ex, ClaimFailed);

    private async Task<int> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        var claimed = await _entries.ClaimAsync(Owner, max, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        foreach (var entry in claimed)
        {
            Enqueue(entry, cancellationToken);
        }

        return claimed.Count;
    }

    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.LeaseDuration / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _inMemory) == 0)
                {
                    continue;
                }

                try
                {
                    await _entries.RenewLeasesAsync(Owner, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                    _renewFailures.ReportSuccess(_logger, RenewOperation);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _renewFailures.Report(_logger, RenewOperation, ex, RenewFailed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Enqueue(ClaimedEntry entry, CancellationToken cancellationToken)
    {
        var key = entry.SubscriptionId ?? string.Empty;
        lock (_queues)
        {
            // Held already (its lease ran out and came back to us): it is queued once.
            if (!_held.Add(entry.Id))
            {
                return;
            }

            if (entry.Kind == EntryKind.Notification && _parsed.TryTake(entry.DedupeKey, out var parsed))
            {
                _messages[entry.Id] = parsed;
            }
            else if (entry.BodyId is { } bodyId)
            {
                if (!_bodies.TryGetValue(bodyId, out var body))
                {
                    _bodies[bodyId] = body = new ParsedBody(entry.Body);
                }

                body.References++;
            }

            Interlocked.Increment(ref _inMemory);
            if (_queues.TryGetValue(key, out var queue))
            {
                queue.Enqueue(entry);
                return;
            }

            queue = new Queue<ClaimedEntry>();
            queue.Enqueue(entry);
            _queues.Add(key, queue);
        }

        var drain = Task.Run(() => DrainAsync(key, cancellationToken), CancellationToken.None);
        _drains.TryAdd(drain, true);
        drain.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(t, out _), _drains, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DrainAsync(string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            ClaimedEntry entry;
            lock (_queues)
            {
                var queue = _queues[key];
                if (queue.Count == 0)
                {
                    _queues.Remove(key);
                    return;
                }

                entry = queue.Peek();
            }

            try
            {
                await DeliverAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the entry stays pending in the store and runs again after the restart.
                return;
            }
#pragma warning disable CA1031 // A store error while recording: keep the entry at the head and try again shortly.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                DeliveryStoreFailed(_logger, entry.Id, ex);
                try
                {
                    await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            lock (_queues)
            {
                _queues[key].Dequeue();
                _held.Remove(entry.Id);
                if (!_messages.Remove(entry.Id) && entry.BodyId is { } bodyId && --_bodies[bodyId].References == 0)
                {
                    _bodies.Remove(bodyId);
                }
            }

            Interlocked.Decrement(ref _inMemory);
            // Room in memory, and the subscription's next entry may now be claimed (here or by another instance).
            _notifier.Notify();
        }
    }

    private async Task DeliverAsync(ClaimedEntry entry, CancellationToken cancellationToken)
    {
        NotificationMessage? message = null;
        LifecycleEvent? lifecycle = null;
        if (entry.Kind == EntryKind.Lifecycle)
        {
            try
            {
                lifecycle = LifecycleSerializer.Deserialize(entry.Body.ToArray());
            }
            catch (System.Text.Json.JsonException ex)
            {
                await _entries.DeadLetterAsync(entry.Id, entry.Attempts, "the stored lifecycle event no longer parses: " + ex.Message, cancellationToken).ConfigureAwait(false);
                _metrics?.DeadLettered();
                return;
            }
        }
        else if (!TryGetMessage(entry, out message, out var error))
        {
            await _entries.DeadLetterAsync(entry.Id, entry.Attempts, error, cancellationToken).ConfigureAwait(false);
            _metrics?.DeadLettered();
            _decision.Report(entry.DedupeKey, entry.SubscriptionId, SubscriptionStatus.OK, null);
            return;
        }

        if (entry.Attempts >= _options.MaxAttempts)
        {
            await _entries.DeadLetterAsync(entry.Id, entry.Attempts, "no attempts left", cancellationToken).ConfigureAwait(false);
            _metrics?.DeadLettered();
            _decision.Report(entry.DedupeKey, entry.SubscriptionId, SubscriptionStatus.OK, null);
            return;
        }

        // Telemetry: the delivery's Activity, in the trace of the push that stored the entry (its stored traceparent) and linked to it.
        using var activity = PushActivities.StartDelivery(entry.Id, entry.SubscriptionId, entry.Attempts, PushContext(entry.TraceParent));
        var registration = entry.Registration is { } name ? _registrations[name]?.Info : null;
        // The entry's id is the delivery id: the same on every retry, restart and replay, so receivers can dedupe on it.
        var push = new PushMetadata(entry.Id.ToString(CultureInfo.InvariantCulture), entry.ReceivedAt, entry.RequestServerVersion, registration);
        var done = new HashSet<string>(entry.SucceededHandlers, StringComparer.Ordinal);
        var state = new DeliveryState(this, entry, message, lifecycle, push, done);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        PipelineOutcome outcome;
        try
        {
            context.Properties.Set(BaseAttempts, entry.Attempts);
            context.Properties.Set(MaxAttemptsKey, _options.MaxAttempts);
            outcome = await _retry.ExecuteAsync(static (ctx, s) => s.Owner.AttemptAsync(s, ctx.CancellationToken), context, state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.HasFailures)
        {
            var error = string.Join("; ", outcome.Handlers.Where(h => h.IsFailure).Select(h => h.Handler + ": " + h.Detail));
            await _entries.DeadLetterAsync(entry.Id, state.Attempt, error, cancellationToken).ConfigureAwait(false);
            DeadLettered(_logger, entry.Id, entry.SubscriptionId, state.Attempt, error);
            _metrics?.DeadLettered();
            activity?.SetStatus(ActivityStatusCode.Error, "dead-lettered");
        }
        else
        {
            await _entries.CompleteAsync(entry.Id, state.Attempt, state.Vote, state.VoteReason, cancellationToken).ConfigureAwait(false);
        }

        _decision.Settled(entry.DedupeKey);
        if (state.ReportedVote is null)
        {
            _decision.Report(entry.DedupeKey, entry.SubscriptionId, state.Vote, state.VoteReason);
        }
        else if (state.ReportedVote != state.Vote)
        {
            // A retry voted Unsubscribe after the first attempt's OK was reported.
            _decision.ReportLate(entry.SubscriptionId, state.VoteReason);
        }
    }

    private async ValueTask<PipelineOutcome> AttemptAsync(DeliveryState state, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        PipelineOutcome outcome;
        try
        {
            state.Attempt = state.Entry.Attempts + ++state.RunAttempts;
            outcome = state.Lifecycle is { } lifecycle
                ? await _pipeline.RunLifecycleAsync(lifecycle, state.Push, state.Attempt, state.Done, cancellationToken).ConfigureAwait(false)
                : await _pipeline.RunAsync(state.Message!, state.Push, state.Attempt, state.Done, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }

        List<HandlerAttempt>? attempts = outcome.HasFailures ? new(outcome.Handlers.Count) : null;
        foreach (var handler in outcome.Handlers)
        {
            if (handler.Status == HandlerStatus.Succeeded)
            {
                state.Done.Add(handler.Handler);
                attempts?.Add(new HandlerAttempt(handler.Handler, true, null));
                if (handler.Verdict == HandlerVerdict.Unsubscribe && state.Vote == SubscriptionStatus.OK)
                {
                    state.Vote = SubscriptionStatus.Unsubscribe;
                    state.VoteReason = handler.Handler + ": " + handler.Detail;
                }
            }
            else if (handler.IsFailure)
            {
                attempts?.Add(new HandlerAttempt(handler.Handler, false, handler.Detail ?? handler.Status.ToString()));
            }
        }

        if (state.ReportedVote is null)
        {
            // The waiting request hears the vote after the first attempt; retries of failed handlers go on without it.
            // The vote need not be on disk first: after a crash the entry runs again and votes again.
            state.ReportedVote = state.Vote;
            _decision.ReportBeforeCompletion(state.Entry.DedupeKey, state.Entry.SubscriptionId, state.Vote, state.VoteReason);
        }

        if (attempts is not null)
        {
            // Per-handler state matters only when there will be a retry; a clean attempt is recorded by the completion.
            await _entries.RecordAttemptAsync(state.Entry.Id, state.Attempt, attempts, cancellationToken).ConfigureAwait(false);
            if (state.Attempt < _options.MaxAttempts)
            {
                RetryScheduled(_logger, state.Entry.Id, state.Entry.SubscriptionId, state.Attempt, _options.MaxAttempts);
                _metrics?.RetryScheduled();
            }
        }

        return outcome;
    }

    // The push's trace context from the stored traceparent; null when none was stored or tracing is off.
    private static ActivityContext? PushContext(string? traceParent) =>
        traceParent is not null && PushActivities.Source.HasListeners() && ActivityContext.TryParse(traceParent, null, out var context) ? context : null;

    private bool TryGetMessage(ClaimedEntry entry, out NotificationMessage message, out string error)
    {
        ParsedBody body;
        lock (_queues)
        {
            if (_messages.TryGetValue(entry.Id, out var parsed))
            {
                message = parsed;
                error = string.Empty;
                return true;
            }

            body = _bodies[entry.BodyId!.Value];
        }

        var (request, parseError) = body.Parsed.Value;
        if (request is not null && entry.MessageIndex < request.Messages.Count)
        {
            message = request.Messages[entry.MessageIndex];
            error = string.Empty;
            return true;
        }

        message = null!;
        error = parseError ?? "the stored body has no message at index " + entry.MessageIndex.ToString(CultureInfo.InvariantCulture);
        return false;
    }

    public override void Dispose()
    {
        _concurrency.Dispose();
        base.Dispose();
    }

    /// <summary>A stored body shared by the entries of one push, parsed on first use.</summary>
    private sealed class ParsedBody(ReadOnlyMemory<byte> body)
    {
        public int References { get; set; }

        public Lazy<(PushRequest? Request, string? Error)> Parsed { get; } = new(() =>
        {
            try
            {
                return (SendNotificationReader.Read(body), null);
            }
            catch (PushRequestException ex)
            {
                return (null, "the stored body no longer parses: " + ex.Message);
            }
        });
    }

    private sealed class DeliveryState(InboxDispatcher owner, ClaimedEntry entry, NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push, HashSet<string> done)
    {
        public InboxDispatcher Owner { get; } = owner;

        public ClaimedEntry Entry { get; } = entry;

        public NotificationMessage? Message { get; } = message;

        public LifecycleEvent? Lifecycle { get; } = lifecycle;

        public PushMetadata Push { get; } = push;

        public HashSet<string> Done { get; } = done;

        public int RunAttempts { get; set; }

        public int Attempt { get; set; }

        public SubscriptionStatus Vote { get; set; }

        public SubscriptionStatus? ReportedVote { get; set; }

        public string? VoteReason { get; set; }
    }

    [LoggerMessage(310, LogLevel.Warning, "Entry {EntryId} of subscription {SubscriptionId}: attempt {Attempt} of {MaxAttempts} had failing handlers; retrying with backoff")]
    private static partial void RetryScheduled(ILogger logger, long entryId, string? subscriptionId, int attempt, int maxAttempts);

    [LoggerMessage(311, LogLevel.Error, "Entry {EntryId} of subscription {SubscriptionId} is a dead letter after {Attempts} attempt(s): {LastError}")]
    private static partial void DeadLettered(ILogger logger, long entryId, string? subscriptionId, int attempts, string lastError);

    [LoggerMessage(312, LogLevel.Error, "Claiming inbox entries failed; retrying")]
    private static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(313, LogLevel.Error, "Recording the delivery of entry {EntryId} failed; retrying")]
    private static partial void DeliveryStoreFailed(ILogger logger, long entryId, Exception exception);

    [LoggerMessage(315, LogLevel.Warning, "Renewing the dispatcher's leases failed; trying again")]
    private static partial void RenewFailed(ILogger logger, Exception exception);







    [LoggerMessage(316, LogLevel.Warning, "Releasing the dispatcher's leases at shutdown failed; they run out by themselves")]
    private static partial void ReleaseFailed(ILogger logger, Exception exception);
}
