using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PushListener.Pipeline;
using PushListener.Subscriptions;

namespace PushListener.Inbox;

/// <summary>
/// The one place that decides what Exchange hears for a push: <c>Unsubscribe</c> when the unknown-subscription policy
/// refuses one of its subscriptions, when the append found a subscription marked for unsubscribe or took a sticky vote,
/// when a duplicate's first delivery earned it, or when a handler's vote arrives within the reply budget; otherwise
/// <c>OK</c>. The answer waits for handlers only when one of them may vote (<see cref="INotificationHandler.MayUnsubscribe"/>);
/// otherwise it goes as soon as the push is committed. The dispatcher reports each entry's vote here; a vote nobody
/// waits for any more becomes sticky: the subscription's next push is answered Unsubscribe. With several instances, an
/// Unsubscribe vote with no waiter on the instance that ran the entry is stored as sticky first and then relayed; the
/// request that hears it on another instance answers Unsubscribe and withdraws the stored vote, so only votes nobody
/// heard stay sticky (as with one instance).
/// </summary>
internal sealed partial class ReplyDecision(
    IStickyVoteStore votes,
    NotificationPipeline pipeline,
    IOptions<InboxOptions> options,
    IOptions<SubscriptionOptions> subscriptions,
    TimeProvider time,
    ILogger<ReplyDecision> logger,
    IEnumerable<Coordination.IVoteRelay> relays)
{
    // Options are read on first use, not when constructed: the dispatcher (a hosted service) depends on this class, and
    // invalid options must fail start-up's validation with every error, not the resolution of hosted services with one.
    // Instances sharing a store: the request may wait on another instance than the one that ran the entry, so a relay
    // (PostgreSQL's LISTEN/NOTIFY) brings votes both ways. SQLite registers none.
    private readonly Coordination.IVoteRelay? _relay = relays.SingleOrDefault();
    private readonly ConcurrentDictionary<string, Waiter> _waiters = Listen(relays.SingleOrDefault(), votes, logger);

    // Votes reported before their entry's completion is stored: a retry of the push arriving in between still finds the
    // entry pending, and would otherwise wait out the budget for a vote that was already cast.
    private readonly ConcurrentDictionary<string, SubscriptionStatus> _uncommitted = new(StringComparer.Ordinal);

    /// <summary>Whether answers wait for the pipeline's first attempt (a handler may vote, and the budget is not zero).</summary>
    public bool AwaitsVotes => Budget > TimeSpan.Zero && pipeline.MayUnsubscribe;

    private TimeSpan Budget => options.Value.ReplyBudget;

    /// <summary>Whether a message whose subscription no registration claims is refused (answered Unsubscribe, not stored).</summary>
    public bool Refuses(Registration? owner) => owner is null && subscriptions.Value.UnknownPolicy == UnknownSubscriptionPolicy.Unsubscribe;

    /// <summary>Before the append: a ballot waiting for the votes on <paramref name="dedupeKeys"/>, when answers await votes.</summary>
    public Ballot Open(IReadOnlyList<string> dedupeKeys)
    {
        if (!AwaitsVotes)
        {
            return Ballot.None;
        }

        var waiters = new Waiter[dedupeKeys.Count];
        for (var i = 0; i < waiters.Length; i++)
        {
            waiters[i] = _waiters.GetOrAdd(dedupeKeys[i], static _ => new Waiter());

            // Checked after the waiter is in place: either the dispatcher's report finds this waiter, or this finds its vote.
            if (_uncommitted.TryGetValue(dedupeKeys[i], out var cast))
            {
                waiters[i].TryResolve(cast);
            }
        }

        return new Ballot(dedupeKeys, waiters);
    }

    /// <summary>Withdraws a ballot whose push was not stored.</summary>
    public void Cancel(Ballot ballot)
    {
        for (var i = 0; i < ballot.Count; i++)
        {
            if (ballot.Waiters[i].TryAbandon())
            {
                _waiters.TryRemove(new KeyValuePair<string, Waiter>(ballot.Keys[i], ballot.Waiters[i]));
            }
        }
    }

    /// <summary>After the append: the answer.</summary>
    public async ValueTask<SubscriptionStatus> DecideAsync(Ballot ballot, PushAppendResult appended, bool refusedSome, CancellationToken cancellationToken)
    {
        var status = refusedSome ? SubscriptionStatus.Unsubscribe : SubscriptionStatus.OK;
        var messages = appended.Messages;
        List<Task>? waits = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Unsubscribe || message is { IsDuplicate: true, StoredVote: SubscriptionStatus.Unsubscribe })
            {
                status = SubscriptionStatus.Unsubscribe;
            }

            if (i >= ballot.Count)
            {
                continue;
            }

            if (message.IsDuplicate && message.State != EntryState.Pending)
            {
                // Processed already: its answer is the stored one, nothing will vote again.
                if (ballot.Waiters[i].TryAbandon())
                {
                    _waiters.TryRemove(new KeyValuePair<string, Waiter>(ballot.Keys[i], ballot.Waiters[i]));
                }

                continue;
            }

            (waits ??= new List<Task>(ballot.Count)).Add(ballot.Waiters[i].Vote);
        }

        if (waits is not null && status == SubscriptionStatus.OK)
        {
            try
            {
                await Task.WhenAll(waits).WaitAsync(Budget, time, cancellationToken).ConfigureAwait(false);
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

        for (var i = 0; i < ballot.Count; i++)
        {
            var waiter = ballot.Waiters[i];
            if (waiter.TryAbandon())
            {
                _waiters.TryRemove(new KeyValuePair<string, Waiter>(ballot.Keys[i], waiter));
            }
            else if (await waiter.Vote.ConfigureAwait(false) == SubscriptionStatus.Unsubscribe)
            {
                // Resolved: the vote won, and is set right after its state (TryResolve), so this wait is momentary. Reading
                // only a vote already set would answer OK to one that had won, whose relay then withdraws its sticky vote.
                status = SubscriptionStatus.Unsubscribe;
            }
        }

        return status;
    }

    /// <summary>
    /// From the dispatcher, after an entry's first attempt (or its end without one): the waiting request hears the vote;
    /// when nobody waits any more, an Unsubscribe vote becomes sticky.
    /// </summary>
    public void Report(string dedupeKey, string? subscriptionId, SubscriptionStatus vote, string? reason)
    {
        if (_waiters.TryRemove(dedupeKey, out var waiter) && waiter.TryResolve(vote))
        {
            return;
        }

        // Nobody waits here: the request may wait on another instance, or may have been answered already. An Unsubscribe
        // vote is stored as sticky first and relayed after: the request that hears it withdraws the stored vote, so the
        // vote must be stored before anyone can hear it (a withdrawal that came first would leave a late one sticky).
        if (_relay is not null && AwaitsVotes)
        {
            if (vote == SubscriptionStatus.Unsubscribe && subscriptionId is not null)
            {
                _ = StoreThenRelayAsync(_relay, dedupeKey, subscriptionId, reason);
                return;
            }

            _relay.Publish(dedupeKey, subscriptionId, vote);
        }

        if (vote == SubscriptionStatus.Unsubscribe && subscriptionId is not null)
        {
            Defer(subscriptionId, reason);
        }
    }

    /// <summary>
    /// From the dispatcher: the vote of an entry whose completion is not stored yet. Like <see cref="Report"/>, and a retry
    /// of the same push arriving before <see cref="Settled"/> hears it too.
    /// </summary>
    public void ReportBeforeCompletion(string dedupeKey, string? subscriptionId, SubscriptionStatus vote, string? reason)
    {
        if (AwaitsVotes)
        {
            _uncommitted[dedupeKey] = vote;
        }

        Report(dedupeKey, subscriptionId, vote, reason);
    }

    /// <summary>From the dispatcher: the entry's completion or dead letter is stored; a retry now reads its answer from the store.</summary>
    public void Settled(string dedupeKey) => _uncommitted.TryRemove(dedupeKey, out _);

    /// <summary>From the dispatcher: a retry voted Unsubscribe after the answer went out; the next push carries it.</summary>
    public void ReportLate(string? subscriptionId, string? reason)
    {
        if (subscriptionId is not null)
        {
            Defer(subscriptionId, reason);
        }
    }

    private void Defer(string subscriptionId, string? reason)
    {
        VoteDeferred(logger, subscriptionId, reason);
        _ = votes.SetAsync(subscriptionId, reason, CancellationToken.None).ContinueWith(
            static (t, state) => StickyFailed((ILogger)state!, t.Exception!),
            logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    private async Task StoreThenRelayAsync(Coordination.IVoteRelay relay, string dedupeKey, string subscriptionId, string? reason)
    {
        VoteStoredAndRelayed(logger, subscriptionId, reason);
        try
        {
            await votes.SetAsync(subscriptionId, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Relayed all the same: a request still waiting can answer it.
            StickyFailed(logger, ex);
        }

        relay.Publish(dedupeKey, subscriptionId, SubscriptionStatus.Unsubscribe);
    }

    private static ConcurrentDictionary<string, Waiter> Listen(Coordination.IVoteRelay? relay, IStickyVoteStore votes, ILogger logger)
    {
        var waiters = new ConcurrentDictionary<string, Waiter>(StringComparer.Ordinal);
        relay?.Subscribe((dedupeKey, subscriptionId, vote) =>
        {
            if (waiters.TryRemove(dedupeKey, out var waiter) && waiter.TryResolve(vote) && vote == SubscriptionStatus.Unsubscribe && subscriptionId is not null)
            {
                // This request answers the vote (a resolved waiter always ends in an Unsubscribe answer, see DecideAsync),
                // so the sticky vote the instance that ran the entry stored before relaying it is not needed. Should the
                // answer not reach Exchange, its retry is a duplicate answered with the vote stored with the entry. A vote
                // of a later entry that the delete may also take concerns a subscription Exchange ends on this answer.
                _ = WithdrawAsync(votes, subscriptionId, logger);
            }
        });
        return waiters;
    }

    private static async Task WithdrawAsync(IStickyVoteStore votes, string subscriptionId, ILogger logger)
    {
        try
        {
            await votes.WithdrawAsync(subscriptionId, CancellationToken.None).ConfigureAwait(false);
            VoteWithdrawn(logger, subscriptionId);
        }
        catch (Exception ex)
        {
            WithdrawFailed(logger, subscriptionId, ex);
        }
    }

    /// <summary>The waiters of one push, by message.</summary>
    internal readonly struct Ballot(IReadOnlyList<string> keys, Waiter[] waiters)
    {
        public static Ballot None => new([], []);

        public IReadOnlyList<string> Keys { get; } = keys;

        public Waiter[] Waiters { get; } = waiters;

        public int Count => Waiters?.Length ?? 0;
    }

    /// <summary>One message's vote: exactly one side wins, the dispatcher with the vote or the request giving up.</summary>
    internal sealed class Waiter
    {
        private readonly TaskCompletionSource<SubscriptionStatus> _vote = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state; // 0 waiting, 1 abandoned, 2 resolved

        public Task<SubscriptionStatus> Vote => _vote.Task;

        public bool TryResolve(SubscriptionStatus vote)
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
            {
                return false;
            }

            _vote.TrySetResult(vote);
            return true;
        }

        /// <summary>Gives up waiting; false when the vote arrived first (read it from <see cref="Vote"/>).</summary>
        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 1, 0) == 0 || Volatile.Read(ref _state) == 1;
    }

    [LoggerMessage(300, LogLevel.Information, "Unsubscribe vote for subscription {SubscriptionId} came after its push was answered; the subscription's next push will be answered Unsubscribe ({Reason})")]
    private static partial void VoteDeferred(ILogger logger, string subscriptionId, string? reason);

    [LoggerMessage(314, LogLevel.Error, "Storing a deferred Unsubscribe vote failed")]
    private static partial void StickyFailed(ILogger logger, Exception exception);

    [LoggerMessage(324, LogLevel.Debug, "Unsubscribe vote for subscription {SubscriptionId} stored as sticky and relayed to the other instances; a request waiting there answers it and withdraws the sticky vote ({Reason})")]
    private static partial void VoteStoredAndRelayed(ILogger logger, string subscriptionId, string? reason);

    [LoggerMessage(328, LogLevel.Debug, "Unsubscribe vote for subscription {SubscriptionId} heard from another instance and answered; its sticky vote is withdrawn")]
    private static partial void VoteWithdrawn(ILogger logger, string subscriptionId);

    [LoggerMessage(329, LogLevel.Warning, "Withdrawing the answered sticky vote of subscription {SubscriptionId} failed; its next push is answered Unsubscribe again")]
    private static partial void WithdrawFailed(ILogger logger, string subscriptionId, Exception exception);
}
