using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using PushListener.Pipeline;
using PushListener.Protocol;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Inbox;

/// <summary>
/// Runs the pipeline on stored notifications. A feeder reads pending entries from the store in id order (on a signal
/// after each append, on a timer for entries replayed by other processes, and from the start after a restart) as long as
/// fewer than <see cref="InboxOptions.MaxInMemoryEntries"/> are in memory. Entries queue per subscription, so each
/// subscription is delivered in order while subscriptions run in parallel up to <see cref="InboxOptions.Concurrency"/>.
/// Failed handlers are retried (Polly: exponential backoff with jitter) without re-running those that succeeded; after
/// <see cref="InboxOptions.MaxAttempts"/> the entry becomes a dead letter.
/// </summary>
internal sealed partial class InboxDispatcher : BackgroundService
{
    private static readonly ResiliencePropertyKey<int> BaseAttempts = new("PushListener.BaseAttempts");
    private static readonly ResiliencePropertyKey<int> MaxAttemptsKey = new("PushListener.MaxAttempts");
    private readonly int _maxAttempts;
    private readonly IInboxStore _store;
    private readonly NotificationPipeline _pipeline;
    private readonly ReplyWaiters _waiters;
    private readonly StickyVotes _sticky;
    private readonly RegistrationCatalog _registrations;
    private readonly InboxOptions _options;
    private readonly ILogger _logger;
    private readonly PushListenerMetrics? _metrics;
    private readonly PushTraceLinks? _traceLinks;
    private readonly ResiliencePipeline<PipelineOutcome> _retry;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _concurrency;
    private readonly Dictionary<string, Queue<StoredEntry>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NotificationMessage> _parsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _drains = new();
    private readonly ConcurrentQueue<StoredEntry> _committed = new();
    private int _inMemory;
    private int _storeChanged;
    private long _lastFedId;

    public InboxDispatcher(IInboxStore store, NotificationPipeline pipeline, ReplyWaiters waiters, StickyVotes sticky, RegistrationCatalog registrations, IOptions<InboxOptions> options, TimeProvider time, ILogger<InboxDispatcher> logger, PushListenerMetrics? metrics = null, PushTraceLinks? traceLinks = null)
    {
        _metrics = metrics;
        _traceLinks = traceLinks;
        _store = store;
        _pipeline = pipeline;
        _waiters = waiters;
        _sticky = sticky;
        _registrations = registrations;
        _options = options.Value;
        _logger = logger;
        _concurrency = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        store.Committed = OnCommitted;
        var maxAttempts = _options.MaxAttempts;
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
        _maxAttempts = maxAttempts;
    }

    /// <summary>Entries held in memory now.</summary>
    public int InMemory => Volatile.Read(ref _inMemory);

    /// <summary>Wakes the feeder: new entries were committed.</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Wakes the feeder to read the store: entries became pending that no append published (replays, the watchdog).</summary>
    public void NotifyStoreChanged()
    {
        Volatile.Write(ref _storeChanged, 1);
        Notify();
    }

    /// <summary>
    /// Offers the parsed message of an entry about to be stored, by dedupe key, before the write: the feeder may read the
    /// committed row before the request resumes, and must then find the message instead of parsing the body again.
    /// </summary>
    public void Offer(string dedupeKey, NotificationMessage message)
    {
        if (_parsed.Count < _options.MaxInMemoryEntries)
        {
            _parsed.TryAdd(dedupeKey, message);
        }
    }

    /// <summary>Withdraws an offer whose entry was not stored (a duplicate, or the write failed).</summary>
    public void Withdraw(string dedupeKey) => _parsed.TryRemove(dedupeKey, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first round reads everything pending from the store (recovery after a restart).
        var readStore = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                readStore |= Interlocked.Exchange(ref _storeChanged, 0) == 1;
                await FeedAsync(readStore, stoppingToken).ConfigureAwait(false);
                // Woken for committed entries; the timeout reads the store for entries other processes made pending
                // (replays from the command line) and for those left there past the memory bound.
                readStore = !await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The store may be briefly unavailable; the feeder must survive it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                FeedFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(_drains.Keys).ConfigureAwait(false);
    }

    // On the writer's thread, in commit (= id) order. Past the memory bound, entries are left to the store: they are
    // pending rows, and the feeder reads them in order once there is room.
    private void OnCommitted(StoredEntry entry)
    {
        if (_committed.Count < _options.MaxInMemoryEntries)
        {
            _committed.Enqueue(entry);
        }

        Notify();
    }

    private async Task FeedAsync(bool readStore, CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _inMemory) < _options.MaxInMemoryEntries && _committed.TryPeek(out var next))
        {
            if (next.Id <= _lastFedId)
            {
                _committed.TryDequeue(out _);
            }
            else if (next.Id == _lastFedId + 1)
            {
                _committed.TryDequeue(out _);
                Enqueue(next, cancellationToken);
                _lastFedId = next.Id;
            }
            else
            {
                // A gap: rows this process did not append (a replay, another process), or entries dropped past the bound.
                readStore = true;
                break;
            }
        }

        if (!readStore)
        {
            return;
        }

        while (true)
        {
            var room = _options.MaxInMemoryEntries - Volatile.Read(ref _inMemory);
            if (room <= 0)
            {
                return;
            }

            var page = await _store.ReadPendingAsync(_lastFedId, Math.Min(room, 256), cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                Enqueue(entry, cancellationToken);
                _lastFedId = entry.Id;
            }

            if (page.Count < Math.Min(room, 256))
            {
                // Caught up with the store. If the next committed entry is further on, the ids between are not pending
                // (done already, or gone): nothing to wait for.
                if (page.Count == 0 && _committed.TryPeek(out var first) && first.Id > _lastFedId + 1)
                {
                    _lastFedId = first.Id - 1;
                }

                return;
            }
        }
    }

    private void Enqueue(StoredEntry entry, CancellationToken cancellationToken)
    {
        var key = entry.SubscriptionId ?? string.Empty;
        Interlocked.Increment(ref _inMemory);
        lock (_queues)
        {
            if (_queues.TryGetValue(key, out var queue))
            {
                queue.Enqueue(entry);
                return;
            }

            queue = new Queue<StoredEntry>();
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
            StoredEntry entry;
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
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
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
            }

            Interlocked.Decrement(ref _inMemory);
            Notify();
        }
    }

    private async Task DeliverAsync(StoredEntry entry, CancellationToken cancellationToken)
    {
        NotificationMessage? message = null;
        LifecycleEvent? lifecycle = null;
        if (entry.Kind == EntryKind.Lifecycle)
        {
            try
            {
                lifecycle = LifecycleSerializer.Deserialize(entry.Body);
            }
            catch (System.Text.Json.JsonException ex)
            {
                await _store.DeadLetterAsync(entry.Id, "the stored lifecycle event no longer parses: " + ex.Message, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        else if (!_parsed.TryRemove(entry.DedupeKey, out message))
        {
            // Not parsed in this process (recovered after a restart, replayed, or past the cache): read the stored body.
            var body = await _store.ReadBodyAsync(entry.Id, cancellationToken).ConfigureAwait(false) ?? [];
            if (!TryParse(entry with { Body = body }, out message, out var error))
            {
                await _store.DeadLetterAsync(entry.Id, error, cancellationToken).ConfigureAwait(false);
                ResolveVote(entry, SubscriptionStatus.OK, null);
                return;
            }
        }

        if (entry.Attempts >= _maxAttempts)
        {
            await _store.DeadLetterAsync(entry.Id, "no attempts left", cancellationToken).ConfigureAwait(false);
            ResolveVote(entry, SubscriptionStatus.OK, null);
            return;
        }

        // Telemetry: the delivery's Activity, linked to the push that stored the entry (when this process took it).
        using var activity = PushActivities.StartDelivery(entry.Id, entry.SubscriptionId, entry.Attempts, _traceLinks?.Take(entry.DedupeKey));
        var registration = entry.Registration is { } name ? _registrations[name]?.Info : null;
        var push = new PushMetadata(entry.Id.ToString(CultureInfo.InvariantCulture), entry.ReceivedAt, entry.RequestServerVersion, registration);
        var done = new HashSet<string>(entry.SucceededHandlers, StringComparer.Ordinal);
        var state = new DeliveryState(this, entry, message, lifecycle, push, done);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        PipelineOutcome outcome;
        try
        {
            context.Properties.Set(BaseAttempts, entry.Attempts);
            context.Properties.Set(MaxAttemptsKey, _maxAttempts);
            outcome = await _retry.ExecuteAsync(static (ctx, s) => s.Owner.AttemptAsync(s, ctx.CancellationToken), context, state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.HasFailures)
        {
            var error = string.Join("; ", outcome.Handlers.Where(h => h.IsFailure).Select(h => h.Handler + ": " + h.Detail));
            await _store.DeadLetterAsync(entry.Id, error, cancellationToken).ConfigureAwait(false);
            DeadLettered(_logger, entry.Id, entry.SubscriptionId, state.Attempt, error);
            _metrics?.DeadLettered();
        }
        else
        {
            await _store.CompleteAsync(entry.Id, state.Attempt, state.Vote, state.VoteReason, cancellationToken).ConfigureAwait(false);
        }

        if (state.DeliveredVote is null)
        {
            ResolveVote(entry, state.Vote, state.VoteReason);
        }
        else if (state.DeliveredVote != state.Vote && entry.SubscriptionId is not null)
        {
            // A retry voted Unsubscribe after the request was answered OK.
            DeferVote(entry.SubscriptionId, state.VoteReason);
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

        foreach (var handler in outcome.Handlers)
        {
            if (handler.Status == HandlerStatus.Succeeded)
            {
                state.Done.Add(handler.Handler);
                if (handler.Verdict == HandlerVerdict.Unsubscribe && state.Vote == SubscriptionStatus.OK)
                {
                    state.Vote = SubscriptionStatus.Unsubscribe;
                    state.VoteReason = handler.Handler + ": " + handler.Detail;
                }
            }
        }

        if (state.DeliveredVote is null && _waiters.TryDeliver(state.Entry.DedupeKey, state.Vote))
        {
            // The waiting request hears the vote after the first attempt; retries of failed handlers go on without it.
            // The vote need not be on disk first: after a crash the entry runs again and votes again.
            state.DeliveredVote = state.Vote;
        }

        if (outcome.HasFailures)
        {
            // Per-handler state matters only when there will be a retry; a clean attempt is recorded by the completion.
            await _store.RecordAttemptAsync(state.Entry.Id, state.Attempt, outcome, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.HasFailures && state.Attempt < _maxAttempts)
        {
            RetryScheduled(_logger, state.Entry.Id, state.Entry.SubscriptionId, state.Attempt, _maxAttempts);
            _metrics?.RetryScheduled();
        }

        return outcome;
    }

    private void ResolveVote(StoredEntry entry, SubscriptionStatus vote, string? reason)
    {
        if (_waiters.TryDeliver(entry.DedupeKey, vote) || vote != SubscriptionStatus.Unsubscribe || entry.SubscriptionId is null)
        {
            return;
        }

        // Nobody waits for this vote any more: answer it on the subscription's next push.
        DeferVote(entry.SubscriptionId, reason);
    }

    private void DeferVote(string subscriptionId, string? reason)
    {
        _ = _sticky.SetAsync(subscriptionId, reason, CancellationToken.None).ContinueWith(
            static (t, state) => StickyFailed((ILogger)state!, t.Exception!),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    private static bool TryParse(StoredEntry entry, out NotificationMessage message, out string error)
    {
        try
        {
            var request = SendNotificationReader.Read(entry.Body);
            if (entry.MessageIndex < request.Messages.Count)
            {
                message = request.Messages[entry.MessageIndex];
                error = string.Empty;
                return true;
            }

            error = "the stored body has no message at index " + entry.MessageIndex.ToString(CultureInfo.InvariantCulture);
        }
        catch (PushRequestException ex)
        {
            error = "the stored body no longer parses: " + ex.Message;
        }

        message = null!;
        return false;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _concurrency.Dispose();
        base.Dispose();
    }

    private sealed class DeliveryState(InboxDispatcher owner, StoredEntry entry, NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push, HashSet<string> done)
    {
        public InboxDispatcher Owner { get; } = owner;

        public StoredEntry Entry { get; } = entry;

        public NotificationMessage? Message { get; } = message;

        public LifecycleEvent? Lifecycle { get; } = lifecycle;

        public PushMetadata Push { get; } = push;

        public HashSet<string> Done { get; } = done;

        public int RunAttempts { get; set; }

        public int Attempt { get; set; }

        public SubscriptionStatus Vote { get; set; }

        public SubscriptionStatus? DeliveredVote { get; set; }

        public string? VoteReason { get; set; }
    }

    [LoggerMessage(310, LogLevel.Warning, "Entry {EntryId} of subscription {SubscriptionId}: attempt {Attempt} of {MaxAttempts} had failing handlers; retrying with backoff")]
    private static partial void RetryScheduled(ILogger logger, long entryId, string? subscriptionId, int attempt, int maxAttempts);

    [LoggerMessage(311, LogLevel.Error, "Entry {EntryId} of subscription {SubscriptionId} is a dead letter after {Attempts} attempt(s): {LastError}")]
    private static partial void DeadLettered(ILogger logger, long entryId, string? subscriptionId, int attempts, string lastError);

    [LoggerMessage(312, LogLevel.Error, "Reading pending inbox entries failed; retrying")]
    private static partial void FeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(313, LogLevel.Error, "Recording the delivery of entry {EntryId} failed; retrying")]
    private static partial void DeliveryStoreFailed(ILogger logger, long entryId, Exception exception);

    [LoggerMessage(314, LogLevel.Error, "Storing a deferred Unsubscribe vote failed")]
    private static partial void StickyFailed(ILogger logger, Exception exception);
}
