using Microsoft.Extensions.Options;
using PushListener.Endpoint;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Inbox;

/// <summary>
/// The durable path: stores each message of a push (idempotently) and only then lets the endpoint answer. Waits for the
/// pipeline up to <see cref="InboxOptions.ReplyBudget"/> so an Unsubscribe vote can be in this answer; otherwise answers
/// OK and the vote, if any, goes out on the subscription's next push. A store failure throws, and the endpoint answers a
/// Server fault, so Exchange retries.
/// </summary>
internal sealed class InboxPushProcessor(
    IInboxStore store,
    InboxDispatcher dispatcher,
    ReplyWaiters waiters,
    StickyVotes sticky,
    RegistrationCatalog registrations,
    IOptions<InboxOptions> options,
    IOptions<SubscriptionOptions> subscriptionOptions,
    TimeProvider time,
    PushListenerMetrics metrics,
    PushTraceLinks traceLinks) : IPushProcessor
{
    private readonly TimeSpan _budget = options.Value.ReplyBudget;
    private readonly bool _refuseUnknown = subscriptionOptions.Value.UnknownPolicy == UnknownSubscriptionPolicy.Unsubscribe;

    public async ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken)
    {
        var messages = push.Request.Messages;
        var owners = new Registration?[messages.Count];
        var refused = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var subscription = messages[i].SubscriptionId;
            owners[i] = push.Registration ?? registrations.Find(subscription);
            if (push.Registration is not null && subscription is not null)
            {
                registrations.Link(subscription, push.Registration.Name);
            }

            if (owners[i] is null && _refuseUnknown)
            {
                refused++;
            }
        }

        if (refused == messages.Count)
        {
            // Nobody claims these subscriptions and the policy refuses strangers: end them, keep nothing but the fact.
            foreach (var message in messages)
            {
                if (message.SubscriptionId is { } subscription)
                {
                    await store.RecordRefusedAsync(subscription, push.Request.RequestServerVersion, push.ReceivedAt, CancellationToken.None).ConfigureAwait(false);
                }
            }

            push.Observation?.RefusedUnknown(); // telemetry
            return SubscriptionStatus.Unsubscribe;
        }

        // The request's buffer goes back to the pool when the request ends; the store keeps its own copy.
        var body = push.Body.ToArray();
        var keys = new string[messages.Count];
        var pending = new ReplyWaiters.Waiter?[messages.Count];
        var results = new AppendResult[messages.Count];
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                keys[i] = DedupeKey.For(messages[i], body, i);
                pending[i] = waiters.Register(keys[i]);
                dispatcher.Offer(keys[i], messages[i]);
                traceLinks.Remember(keys[i]); // telemetry: the delivery's Activity links to this push's
            }

            // Once queued, the write completes even if Exchange hangs up: a retry then finds it as a duplicate.
            for (var i = 0; i < messages.Count; i++)
            {
                results[i] = await store.AppendAsync(
                    new InboxAppend(keys[i], messages[i].SubscriptionId, i, push.ReceivedAt, push.Request.RequestServerVersion, body, RegistryUpdate.From(messages[i], owners[i])),
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch
        {
            Forget(keys, pending);
            foreach (var key in keys)
            {
                if (key is not null)
                {
                    dispatcher.Withdraw(key);
                    traceLinks.Forget(key); // telemetry
                }
            }

            throw;
        }

        // New entries reached the dispatcher at their commit (IInboxStore.Committed); duplicates need no parsed copy.
        var unsubscribe = refused > 0;
        for (var i = 0; i < messages.Count; i++)
        {
            unsubscribe |= results[i].Unsubscribe;
            if (results[i].IsDuplicate)
            {
                dispatcher.Withdraw(keys[i]);
                traceLinks.Forget(keys[i]); // telemetry
            }
        }

        // Telemetry: notifications stored, and whether the whole push was a retry of one stored before.
        var duplicates = results.Count(static r => r.IsDuplicate);
        metrics.NotificationsStored(messages.Count - duplicates);
        push.Observation?.Stored(messages.Count - duplicates, duplicates);

        var status = await AwaitVotesAsync(keys, pending, results, cancellationToken).ConfigureAwait(false);
        if (unsubscribe)
        {
            status = SubscriptionStatus.Unsubscribe;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].SubscriptionId is { } subscription && await sticky.TryTakeAsync(subscription, CancellationToken.None).ConfigureAwait(false))
            {
                status = SubscriptionStatus.Unsubscribe;
            }
        }

        return status;
    }

    private async ValueTask<SubscriptionStatus> AwaitVotesAsync(string[] keys, ReplyWaiters.Waiter?[] pending, AppendResult[] results, CancellationToken cancellationToken)
    {
        var status = SubscriptionStatus.OK;
        var waits = new List<Task>(pending.Length);
        for (var i = 0; i < pending.Length; i++)
        {
            if (results[i] is { IsDuplicate: true, State: not EntryState.Pending })
            {
                // A retry of a push that was already processed: answer what the first one earned.
                if (results[i].Vote == SubscriptionStatus.Unsubscribe)
                {
                    status = SubscriptionStatus.Unsubscribe;
                }

                waiters.Forget(keys[i], pending[i]!);
                pending[i] = null;
                continue;
            }

            waits.Add(pending[i]!.Vote);
        }

        if (waits.Count > 0 && _budget > TimeSpan.Zero)
        {
            try
            {
                await Task.WhenAll(waits).WaitAsync(_budget, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Past the budget: answer now; late votes become sticky.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Exchange hung up; it will retry and be answered then.
            }
        }

        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i] is not { } waiter)
            {
                continue;
            }

            if (waiter.TryAbandon())
            {
                waiters.Forget(keys[i], waiter);
            }
            else if (waiter.Vote.Result == SubscriptionStatus.Unsubscribe)
            {
                status = SubscriptionStatus.Unsubscribe;
            }
        }

        return status;
    }

    private void Forget(string[] keys, ReplyWaiters.Waiter?[] pending)
    {
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i] is { } waiter && waiter.TryAbandon())
            {
                waiters.Forget(keys[i], waiter);
            }
        }
    }
}
