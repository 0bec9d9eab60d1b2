using System.Collections.Concurrent;

namespace PushListener.Inbox;

/// <summary>
/// Requests waiting (within the reply budget) for the pipeline's vote on their notification, by dedupe key. Exactly one
/// side wins each waiter: either the dispatcher delivers the vote in time, or the request gives up and answers OK, and
/// then a late Unsubscribe vote becomes sticky for the subscription's next push.
/// </summary>
internal sealed class ReplyWaiters
{
    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);

    public Waiter Register(string key) => _waiters.GetOrAdd(key, static _ => new Waiter());

    /// <summary>Hands the vote to a waiting request; false when nobody waits (any more).</summary>
    public bool TryDeliver(string key, SubscriptionStatus vote) =>
        _waiters.TryRemove(key, out var waiter) && waiter.TryResolve(vote);

    /// <summary>Removes a waiter that is no longer waited on.</summary>
    public void Forget(string key, Waiter waiter) => _waiters.TryRemove(new KeyValuePair<string, Waiter>(key, waiter));

    internal sealed class Waiter
    {
        private readonly TaskCompletionSource<SubscriptionStatus> _vote = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state; // 0 waiting, 1 abandoned (answered without the vote), 2 resolved

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
}
