using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
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
/// Claimed entries queue per subscription; <see cref="InboxOptions.Concurrency"/> worker loops take subscriptions with
/// entries from a ready queue and run each one's entries in order, so subscriptions run in parallel while each stays
/// ordered. A clean first attempt hands its completion to one settler loop and the worker moves on: the completions
/// coalesce into one store write, and the settler releases each entry (and tells the reply decision) once its completion
/// is stored. An attempt with failing handlers leaves the worker: the subscription's queue waits while a task of its own
/// retries the failed handlers (Polly: exponential backoff with jitter) without re-running those that succeeded; after
/// <see cref="InboxOptions.MaxAttempts"/> the entry becomes a dead letter. Votes go to the <see cref="ReplyDecision"/>.
/// </summary>
internal sealed partial class InboxDispatcher : BackgroundService
{
    private const int ClaimBatch = 512;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
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
    private readonly ILogger _logger;
    private readonly PushListenerMetrics? _metrics;
    private readonly ResiliencePipeline<PipelineOutcome> _retry;
    private readonly SemaphoreSlim _concurrency;
    private readonly Dictionary<string, SubscriptionQueue> _queues = new(StringComparer.Ordinal);
    private readonly HashSet<long> _held = [];
    // Subscriptions with entries and no worker on them: the workers take them from here.
    private readonly ConcurrentQueue<SubscriptionQueue> _ready = new();
    // Wakes one idle worker per release; whoever releases counts the woken worker in _running for it.
    private readonly SemaphoreSlim _wake = new(0);
    // Workers taking or running entries on a CPU (not those idle or waiting for an asynchronous handler), plus wakes on
    // their way. More are woken only while fewer than the cores run: each wake is a thread hand-off.
    private int _running;
    private readonly int _cpuWorkers;
    // Clean deliveries whose completion is being stored, in the order they were handed over (the settler's input).
    private readonly Channel<DeliveryState> _settling = Channel.CreateUnbounded<DeliveryState>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    // Deliveries that left the workers (retries, dead letters): awaited at shutdown.
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
        _logger = logger;
        _concurrency = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        _cpuWorkers = Math.Min(Environment.ProcessorCount, _options.Concurrency);
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
        var settler = SettleAsync(stoppingToken);
        var workers = new Task[_options.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var room = _options.MaxInMemoryEntries - Volatile.Read(ref _inMemory);
                var claimed = room > 0 ? await ClaimAsync(Math.Min(room, ClaimBatch), stoppingToken).ConfigureAwait(false) : 0;
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
                ClaimFailed(_logger, ex);
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

        await Task.WhenAll(workers).ConfigureAwait(false);
        await Task.WhenAll(_drains.Keys).ConfigureAwait(false);
        // Completions handed over are stored (or failed) before the leases go: released too early, an entry whose
        // completion is on its way could be claimed and run again elsewhere.
        _settling.Writer.TryComplete();
        await settler.ConfigureAwait(false);
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
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RenewFailed(_logger, ex);
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
        SubscriptionQueue? queue;
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
            if (_queues.TryGetValue(key, out queue))
            {
                queue.Entries.Enqueue(entry);
                return;
            }

            queue = new SubscriptionQueue(key);
            queue.Entries.Enqueue(entry);
            _queues.Add(key, queue);
        }

        Ready(queue);
    }

    private void Ready(SubscriptionQueue queue)
    {
        _ready.Enqueue(queue);
        WakeWorker();
    }

    // Wakes an idle worker unless as many as the cores are running already (they take what is ready when they are done).
    private void WakeWorker()
    {
        while (true)
        {
            var running = Volatile.Read(ref _running);
            if (running >= _cpuWorkers)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                _wake.Release();
                return;
            }
        }
    }

    // This worker stops running (idle, or waiting for a handler): another takes what is ready. The decrement comes before
    // the look at the queue, and Ready enqueues before it looks at _running: one of the two sees the other.
    private void StopRunning()
    {
        Interlocked.Decrement(ref _running);
        if (!_ready.IsEmpty)
        {
            WakeWorker();
        }
    }

    // One of Concurrency loops: takes a subscription with entries and runs them, in order, until it has none.
    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (_ready.TryDequeue(out var queue))
                {
                    await DrainAsync(queue, cancellationToken).ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                }

                StopRunning();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: what is queued stays pending in the store and runs again after the restart.
        }
    }

    private async Task DrainAsync(SubscriptionQueue queue, CancellationToken cancellationToken)
    {
        while (true)
        {
            ClaimedEntry entry;
            lock (_queues)
            {
                if (queue.Entries.Count == 0)
                {
                    _queues.Remove(queue.Key);
                    return;
                }

                entry = queue.Entries.Peek();
            }

            try
            {
                var delivering = TryDeliverAsync(queue, entry, cancellationToken);
                bool delivered;
                if (delivering.IsCompleted)
                {
                    delivered = delivering.Result;
                }
                else
                {
                    // A handler waits (I/O): let another worker run meanwhile, up to Concurrency waiting at once.
                    StopRunning();
                    try
                    {
                        delivered = await delivering.ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Increment(ref _running);
                    }
                }

                if (!delivered)
                {
                    return; // the queue went with a delivery that needs more than one clean attempt
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the entry stays pending in the store and runs again after the restart.
                return;
            }

            lock (_queues)
            {
                queue.Entries.Dequeue();
            }
        }
    }

    /// <summary>
    /// The common case on the worker: a first attempt without failures. Its completion goes to the settler; true. Anything
    /// else (failures, a body that no longer parses, no attempts left) takes the queue to <see cref="RunOffWorkerAsync"/>,
    /// which owns it until the entry is finished; false.
    /// </summary>
    private async ValueTask<bool> TryDeliverAsync(SubscriptionQueue queue, ClaimedEntry entry, CancellationToken cancellationToken)
    {
        NotificationMessage? message = null;
        LifecycleEvent? lifecycle = null;
        if (entry.Attempts >= _options.MaxAttempts)
        {
            HandOff(queue, entry, null, cancellationToken);
            return false;
        }

        if (entry.Kind == EntryKind.Lifecycle)
        {
            try
            {
                lifecycle = LifecycleSerializer.Deserialize(entry.Body.ToArray());
            }
            catch (System.Text.Json.JsonException)
            {
                HandOff(queue, entry, null, cancellationToken);
                return false;
            }
        }
        else if (!TryGetMessage(entry, out message, out _))
        {
            HandOff(queue, entry, null, cancellationToken);
            return false;
        }

        // Telemetry: the delivery's Activity, in the trace of the push that stored the entry (its stored traceparent) and linked to it.
        var activity = PushActivities.StartDelivery(entry.Id, entry.SubscriptionId, entry.Attempts, PushContext(entry.TraceParent));
        try
        {
            var state = new DeliveryState(this, entry, message, lifecycle, Metadata(entry));
            var outcome = await RunAttemptAsync(state, entry.SucceededHandlers, cancellationToken).ConfigureAwait(false);
            if (outcome.HasFailures)
            {
                // The first attempt's outcome goes along: the retry pipeline takes it as its own first attempt.
                state.FirstOutcome = outcome;
                state.Activity = activity;
                activity = null;
                HandOff(queue, entry, state, cancellationToken);
                return false;
            }

            Account(state, outcome);
            state.Completion = _entries.CompleteAsync(entry.Id, state.Attempt, state.Vote, state.VoteReason, CancellationToken.None);
            _settling.Writer.TryWrite(state);
            return true;
        }
        finally
        {
            activity?.Dispose();
        }
    }

    private void HandOff(SubscriptionQueue queue, ClaimedEntry entry, DeliveryState? started, CancellationToken cancellationToken)
    {
        var task = RunOffWorkerAsync(queue, entry, started, cancellationToken);
        if (!task.IsCompleted)
        {
            _drains.TryAdd(task, true);
            task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(t, out _), _drains, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Owns the subscription's queue until its head entry is finished (or shutdown), then gives it back to the workers.
    private async Task RunOffWorkerAsync(SubscriptionQueue queue, ClaimedEntry entry, DeliveryState? started, CancellationToken cancellationToken)
    {
        await Task.Yield(); // off the worker at once: a retry's backoff must not hold one
        while (true)
        {
            try
            {
                await DeliverAsync(entry, started, cancellationToken).ConfigureAwait(false);
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
                started?.Activity?.Dispose();
                started = null;
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

            break;
        }

        lock (_queues)
        {
            queue.Entries.Dequeue();
        }

        Release(entry);
        // Room in memory, and the subscription's next entry may now be claimed (here or by another instance).
        _notifier.Notify();
        Ready(queue);
    }

    /// <summary>
    /// Waits for the completions the workers handed over, in order, and releases each entry once its completion is stored;
    /// a failed write is tried again (the delivery itself is not repeated). Ends when the channel is completed and drained.
    /// </summary>
    private async Task SettleAsync(CancellationToken stoppingToken)
    {
        var settling = _settling.Reader;
        while (await settling.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (settling.TryRead(out var state))
            {
                while (true)
                {
                    try
                    {
                        await state.Completion!.ConfigureAwait(false);
                        break;
                    }
#pragma warning disable CA1031 // A store error while recording: try the write again shortly.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        DeliveryStoreFailed(_logger, state.Entry.Id, ex);
                        try
                        {
                            await Task.Delay(PollInterval, _time, stoppingToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            // Shutting down: the entry stays pending in the store and runs again after the restart.
                            state.Completion = null;
                            break;
                        }

                        state.Completion = _entries.CompleteAsync(state.Entry.Id, state.Attempt, state.Vote, state.VoteReason, CancellationToken.None);
                    }
                }

                if (state.Completion is not null)
                {
                    _decision.Settled(state.Entry.DedupeKey);
                }

                Release(state.Entry);
            }

            // One wake for the batch: room in memory, and the subscriptions' next entries may now be claimed.
            _notifier.Notify();
        }
    }

    private void Release(ClaimedEntry entry)
    {
        lock (_queues)
        {
            _held.Remove(entry.Id);
            if (!_messages.Remove(entry.Id) && entry.BodyId is { } bodyId && --_bodies[bodyId].References == 0)
            {
                _bodies.Remove(bodyId);
            }
        }

        Interlocked.Decrement(ref _inMemory);
    }

    private PushMetadata Metadata(ClaimedEntry entry)
    {
        var registration = entry.Registration is { } name ? _registrations[name]?.Info : null;
        // The entry's id is the delivery id: the same on every retry, restart and replay, so receivers can dedupe on it.
        return new PushMetadata(entry.Id.ToString(CultureInfo.InvariantCulture), entry.ReceivedAt, entry.RequestServerVersion, registration);
    }

    // Off the worker: the whole delivery of an entry that did not finish in one clean attempt. started: the worker's
    // first attempt (with failures), taken as the retry pipeline's first; null to start from the beginning.
    private async Task DeliverAsync(ClaimedEntry entry, DeliveryState? started, CancellationToken cancellationToken)
    {
        NotificationMessage? message = null;
        LifecycleEvent? lifecycle = null;
        if (started is null)
        {
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
        }

        // Telemetry: the delivery's Activity, in the trace of the push that stored the entry (its stored traceparent) and linked to it.
        using var activity = started is null
            ? PushActivities.StartDelivery(entry.Id, entry.SubscriptionId, entry.Attempts, PushContext(entry.TraceParent))
            : started.Activity;
        var state = started ?? new DeliveryState(this, entry, message, lifecycle, Metadata(entry));
        state.Activity = null; // disposed here
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

    // One attempt inside the retry pipeline; the first may have run on the worker already (its outcome is taken as is).
    private async ValueTask<PipelineOutcome> AttemptAsync(DeliveryState state, CancellationToken cancellationToken)
    {
        var outcome = state.FirstOutcome;
        state.FirstOutcome = null;
        outcome ??= await RunAttemptAsync(state, state.Done ?? state.Entry.SucceededHandlers, cancellationToken).ConfigureAwait(false);
        Account(state, outcome);
        if (outcome.HasFailures)
        {
            // Per-handler state matters only when there will be a retry; a clean attempt is recorded by the completion.
            var attempts = new List<HandlerAttempt>(outcome.Handlers.Count);
            foreach (var handler in outcome.Handlers)
            {
                if (handler.Status == HandlerStatus.Succeeded)
                {
                    attempts.Add(new HandlerAttempt(handler.Handler, true, null));
                }
                else if (handler.IsFailure)
                {
                    attempts.Add(new HandlerAttempt(handler.Handler, false, handler.Detail ?? handler.Status.ToString()));
                }
            }

            await _entries.RecordAttemptAsync(state.Entry.Id, state.Attempt, attempts, cancellationToken).ConfigureAwait(false);
            if (state.Attempt < _options.MaxAttempts)
            {
                RetryScheduled(_logger, state.Entry.Id, state.Entry.SubscriptionId, state.Attempt, _options.MaxAttempts);
                _metrics?.RetryScheduled();
            }
        }

        return outcome;
    }

    // Runs the pipeline once, within the concurrency limit; alreadyDone: handlers not run again.
    private async ValueTask<PipelineOutcome> RunAttemptAsync(DeliveryState state, IReadOnlySet<string> alreadyDone, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            state.Attempt = state.Entry.Attempts + ++state.RunAttempts;
            return state.Lifecycle is { } lifecycle
                ? await _pipeline.RunLifecycleAsync(lifecycle, state.Push, state.Attempt, alreadyDone, cancellationToken).ConfigureAwait(false)
                : await _pipeline.RunAsync(state.Message!, state.Push, state.Attempt, alreadyDone, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    // An attempt's outcome into the delivery's state: handlers that succeeded (kept only when a retry may follow), the
    // vote, and the waiting request hears the vote after the first attempt.
    private void Account(DeliveryState state, PipelineOutcome outcome)
    {
        if (outcome.HasFailures && state.Done is null)
        {
            state.Done = new HashSet<string>(state.Entry.SucceededHandlers, StringComparer.Ordinal);
        }

        foreach (var handler in outcome.Handlers)
        {
            if (handler.Status == HandlerStatus.Succeeded)
            {
                state.Done?.Add(handler.Handler);
                if (handler.Verdict == HandlerVerdict.Unsubscribe && state.Vote == SubscriptionStatus.OK)
                {
                    state.Vote = SubscriptionStatus.Unsubscribe;
                    state.VoteReason = handler.Handler + ": " + handler.Detail;
                }
            }
        }

        if (state.ReportedVote is null)
        {
            // The waiting request hears the vote after the first attempt; retries of failed handlers go on without it.
            // The vote need not be on disk first: after a crash the entry runs again and votes again.
            state.ReportedVote = state.Vote;
            _decision.ReportBeforeCompletion(state.Entry.DedupeKey, state.Entry.SubscriptionId, state.Vote, state.VoteReason);
        }
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
        _wake.Dispose();
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

    /// <summary>A subscription's claimed entries, in order; in <c>_queues</c> while a worker (or a retry) has it or it waits for one.</summary>
    private sealed class SubscriptionQueue(string key)
    {
        public string Key { get; } = key;

        public Queue<ClaimedEntry> Entries { get; } = new();
    }

    private sealed class DeliveryState(InboxDispatcher owner, ClaimedEntry entry, NotificationMessage? message, LifecycleEvent? lifecycle, PushMetadata push)
    {
        public InboxDispatcher Owner { get; } = owner;

        public ClaimedEntry Entry { get; } = entry;

        public NotificationMessage? Message { get; } = message;

        public LifecycleEvent? Lifecycle { get; } = lifecycle;

        public PushMetadata Push { get; } = push;

        /// <summary>Handlers that succeeded so far; made when an attempt had failures (a clean first attempt needs none).</summary>
        public HashSet<string>? Done { get; set; }

        /// <summary>The worker's first attempt, when it had failures: the retry pipeline's first attempt.</summary>
        public PipelineOutcome? FirstOutcome { get; set; }

        /// <summary>The delivery's activity, handed from the worker to the retry.</summary>
        public Activity? Activity { get; set; }

        /// <summary>The completion's store write, for the settler.</summary>
        public Task? Completion { get; set; }

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
