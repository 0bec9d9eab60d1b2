using System.Diagnostics;
using PushListener.Endpoint;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Inbox;

/// <summary>
/// The durable path: stores all messages of a push in one append (idempotently), wakes the dispatchers, and lets the
/// <see cref="ReplyDecision"/> decide the answer. A store failure throws, and the endpoint answers a Server fault, so
/// Exchange retries.
/// </summary>
internal sealed partial class InboxPushProcessor(
    IEntryLog entries,
    ISubscriptionRegistry subscriptions,
    ReplyDecision decision,
    IDispatchNotifier notifier,
    RegistrationCatalog registrations,
    ParsedMessageCache parsed,
    PushListenerMetrics metrics,
    ILogger<InboxPushProcessor> logger) : IPushProcessor
{
    public async ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken)
    {
        var messages = push.Request.Messages;
        var appends = new List<MessageAppend>(messages.Count);
        var keys = new List<string>(messages.Count);
        List<string>? refused = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var subscription = message.SubscriptionId;
            var owner = push.Registration ?? registrations.Find(subscription);
            if (push.Registration is not null && subscription is not null)
            {
                registrations.Link(subscription, push.Registration.Name);
            }

            if (decision.Refuses(owner))
            {
                // Nobody claims this subscription and the policy refuses strangers: end it, keep nothing but the fact.
                if (subscription is not null)
                {
                    (refused ??= []).Add(subscription);
                }

                continue;
            }

            var key = DedupeKey.For(message, push.Body.Span, i);
            keys.Add(key);
            // Before the append: the dispatcher may claim the entry before this request resumes.
            parsed.Offer(key, message);
            appends.Add(new MessageAppend(key, subscription, i, RegistryUpdate.From(message, owner)));
        }

        foreach (var subscription in refused ?? [])
        {
            await subscriptions.RecordRefusedAsync(subscription, push.Request.RequestServerVersion, push.ReceivedAt, CancellationToken.None).ConfigureAwait(false);
        }

        if (appends.Count == 0)
        {
            push.Observation?.RefusedUnknown(); // telemetry
            return SubscriptionStatus.Unsubscribe;
        }

        var ballot = decision.Open(keys);
        PushAppendResult appended;
        try
        {
            // Once queued, the write completes even if Exchange hangs up: a retry then finds it as a duplicate. The body
            // (the request's buffer) stays valid until the append completes: the endpoint awaits this method, and after a
            // failure (a store that gave up waiting, its write maybe still running) leaves the buffer out of the pool.
            appended = await entries.AppendAsync(new PushAppend(push.Body, push.ReceivedAt, push.Request.RequestServerVersion, TraceParent(), appends), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            decision.Cancel(ballot);
            keys.ForEach(parsed.Withdraw);
            throw;
        }

        var stored = 0;
        for (var i = 0; i < appended.Messages.Count; i++)
        {
            var result = appended.Messages[i];
            if (!result.IsDuplicate)
            {
                stored++;
            }
            else
            {
                parsed.Withdraw(appends[i].DedupeKey);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    Duplicate(logger, appends[i].SubscriptionId, result.EntryId, result.State);
                }
            }
        }

        if (stored > 0)
        {
            notifier.Notify();
        }

        // Telemetry: notifications stored, and whether the whole push was a retry of one stored before.
        metrics.NotificationsStored(stored);
        push.Observation?.Stored(stored, appended.Messages.Count - stored);

        return await decision.DecideAsync(ballot, appended, refused is not null, cancellationToken).ConfigureAwait(false);
    }

    // The request's trace context, so a delivery's trace can link to the push's.
    private static string? TraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    [LoggerMessage(330, LogLevel.Debug, "Duplicate push for subscription {SubscriptionId}: entry {EntryId} has it already ({State}); nothing runs again")]
    private static partial void Duplicate(ILogger logger, string? subscriptionId, long entryId, EntryState state);
}
