using PushListener.Ews;

namespace PushListener.Subscriptions.Management;

/// <summary>
/// The keep-alive rules of a managed subscription, with no I/O in them: from what the manager stored and what the
/// registry heard, whether to subscribe again and from which watermark; and from Exchange's answer, the new state and
/// the lifecycle events.
/// <list type="bullet">
/// <item>New registration: subscribe (<c>initial</c>), from now.</item>
/// <item>Error push (registry state Failed): resubscribe from the last watermark (<c>failed</c>).</item>
/// <item>A gap since the last look: resubscribe from the watermark seen at that look, before the gap (<c>gap</c>).</item>
/// <item>Nothing heard for twice StatusFrequency since the last push or the Subscribe: resubscribe (<c>silent</c>; <c>stale</c> at start-up).</item>
/// <item>Answered Unsubscribe (a handler's or an operator's decision): stop.</item>
/// <item>Watermarks older than <see cref="ManagerOptions.MaxWatermarkAge"/> are not used: subscribe from now.</item>
/// <item>Answers: success is Active; <c>ErrorInvalidWatermark</c> subscribes again from now and raises ResyncRequired;
/// transient failures back off (<c>BackOffMilliseconds</c>, else doubling from <see cref="ManagerOptions.RetryDelay"/>,
/// capped at <see cref="ManagerOptions.MaxRetryDelay"/>); permanent ones stop.</item>
/// </list>
/// </summary>
internal static class KeepAliveRules
{
    public const string Initial = "initial";
    public const string Silent = "silent";
    public const string Stale = "stale";
    public const string Failed = "failed";
    public const string Gap = "gap";
    public const string Forced = "forced";
    public const string Retry = "retry";
    public const string InvalidWatermark = "invalidWatermark";

    /// <summary>
    /// What to do now. <paramref name="heard"/> is the registry's record of the current subscription (null: never heard
    /// from); <paramref name="startingUp"/> names silence found at start-up <c>stale</c>.
    /// </summary>
    public static KeepAliveStep? Next(ManagedSubscription current, ManagedRegistration registration, SubscriptionRecord? heard, DateTimeOffset now, ManagerOptions options, bool startingUp)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(options);
        switch (current.State)
        {
            case ManagedSubscriptionState.Stopped:
                return null;
            case ManagedSubscriptionState.Pending:
                return new KeepAliveStep(KeepAliveAction.Subscribe, Initial, null);
            case ManagedSubscriptionState.Renewing:
                return new KeepAliveStep(KeepAliveAction.Subscribe, current.RenewReason ?? Forced, Usable(current.RenewWatermark, current.WatermarkAt, now, options) ?? Resume(current, heard, now, options));
            case ManagedSubscriptionState.BackingOff:
                return current.NextAttemptAt is { } at && at > now
                    ? null
                    : new KeepAliveStep(KeepAliveAction.Subscribe, current.RenewReason ?? Retry, Usable(current.RenewWatermark, current.WatermarkAt, now, options) ?? Resume(current, heard, now, options));
        }

        if (heard is { State: SubscriptionState.Unsubscribed or SubscriptionState.Unsubscribing })
        {
            return new KeepAliveStep(KeepAliveAction.Stop, "The subscription was answered Unsubscribe (by a handler or an operator); force a resubscribe to start again.", null);
        }

        if (heard is { State: SubscriptionState.Failed })
        {
            return new KeepAliveStep(KeepAliveAction.Subscribe, Failed, Resume(current, heard, now, options));
        }

        if (heard is not null && heard.Gaps > current.GapsSeen)
        {
            // The watermark of the last look precedes the gap: resuming there replays what was lost (and a little more).
            return new KeepAliveStep(KeepAliveAction.Subscribe, Gap, Usable(current.Watermark, current.WatermarkAt, now, options));
        }

        var lastHeard = Later(heard?.LastSeen, current.SubscribedAt);
        if (lastHeard is null || now - lastHeard.Value > 2 * registration.Interval)
        {
            return new KeepAliveStep(KeepAliveAction.Subscribe, startingUp ? Stale : Silent, Resume(current, heard, now, options));
        }

        return null;
    }

    /// <summary>The state after a look that needed no Subscribe: the newest watermark and gap count the registry has.</summary>
    public static ManagedSubscription Observe(ManagedSubscription current, SubscriptionRecord? heard)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (heard is null || current.State != ManagedSubscriptionState.Active)
        {
            return current;
        }

        return current with
        {
            Watermark = heard.LastWatermark ?? current.Watermark,
            WatermarkAt = heard.LastWatermark is null ? current.WatermarkAt : heard.LastSeen,
            GapsSeen = heard.Gaps,
            LastPushAt = heard.LastSeen,
        };
    }

    /// <summary>The state and lifecycle events after Exchange answered <paramref name="step"/>; <c>RetryFresh</c>: subscribe again at once without a watermark.</summary>
    public static (ManagedSubscription State, IReadOnlyList<LifecycleEvent> Events, bool RetryFresh) After(
        ManagedSubscription current, ManagedRegistration registration, KeepAliveStep step, SubscribeResponse response, DateTimeOffset now, ManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(options);
        if (response.IsSuccess)
        {
            var id = response.SubscriptionId!;
            var events = new List<LifecycleEvent>(2);
            var first = current.Generation == 0 && current.SubscriptionId is null;
            events.Add(new LifecycleEvent(first ? LifecycleKind.Subscribed : LifecycleKind.Resubscribed, id, now)
            {
                Registration = registration.Name,
                PreviousSubscriptionId = current.SubscriptionId,
                Reason = step.Reason,
                Watermark = step.Watermark,
            });
            if (step.Reason == InvalidWatermark)
            {
                events.Add(new LifecycleEvent(LifecycleKind.ResyncRequired, id, now)
                {
                    Registration = registration.Name,
                    PreviousSubscriptionId = current.SubscriptionId,
                    Reason = InvalidWatermark,
                });
            }

            var state = current with
            {
                State = ManagedSubscriptionState.Active,
                SubscriptionId = id,
                Watermark = response.Watermark ?? step.Watermark ?? current.Watermark,
                WatermarkAt = now,
                SubscribedAt = now,
                FailedAttempts = 0,
                NextAttemptAt = null,
                RenewReason = null,
                RenewWatermark = null,
                GapsSeen = 0,
                LastPushAt = null,
                Generation = current.Generation + 1,
            };
            return (state, events, false);
        }

        var kind = response.Kind;
        if (kind == SubscribeErrorKind.InvalidWatermark && step.Watermark is not null)
        {
            return (current, [], true);
        }

        var error = $"{response.ResponseCode}: {response.MessageText}".TrimEnd(' ', ':');
        if (kind == SubscribeErrorKind.Permanent)
        {
            var stopped = current with { State = ManagedSubscriptionState.Stopped, LastError = error, LastErrorAt = now, FailedAttempts = current.FailedAttempts + 1, NextAttemptAt = null };
            return (stopped, [Failure(current, registration, response, now, retryAt: null)], false);
        }

        var attempts = current.FailedAttempts + 1;
        var wait = response.BackOff ?? TimeSpan.FromTicks(options.RetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20)));
        if (wait > options.MaxRetryDelay || wait < TimeSpan.Zero)
        {
            wait = options.MaxRetryDelay;
        }

        var retryAt = now + wait;
        var backingOff = current with
        {
            State = ManagedSubscriptionState.BackingOff,
            LastError = error,
            LastErrorAt = now,
            FailedAttempts = attempts,
            NextAttemptAt = retryAt,
            RenewReason = step.Reason,
            RenewWatermark = step.Watermark,
        };
        return (backingOff, [Failure(current, registration, response, now, retryAt)], false);
    }

    private static LifecycleEvent Failure(ManagedSubscription current, ManagedRegistration registration, SubscribeResponse response, DateTimeOffset now, DateTimeOffset? retryAt) =>
        new(LifecycleKind.SubscribeFailed, current.SubscriptionId ?? string.Empty, now)
        {
            Registration = registration.Name,
            ResponseCode = response.ResponseCode,
            MessageText = response.MessageText,
            RetryAt = retryAt,
        };

    /// <summary>The newest watermark known (the registry's last push, or the manager's own), if young enough to resume from.</summary>
    private static string? Resume(ManagedSubscription current, SubscriptionRecord? heard, DateTimeOffset now, ManagerOptions options)
    {
        if (heard?.LastWatermark is { } pushed && (current.WatermarkAt is null || heard.LastSeen >= current.WatermarkAt))
        {
            return Usable(pushed, heard.LastSeen, now, options);
        }

        return Usable(current.Watermark, current.WatermarkAt, now, options);
    }

    private static string? Usable(string? watermark, DateTimeOffset? at, DateTimeOffset now, ManagerOptions options) =>
        watermark is not null && at is { } when && now - when <= options.MaxWatermarkAge ? watermark : null;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
