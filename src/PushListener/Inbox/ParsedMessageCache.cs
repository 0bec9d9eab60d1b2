using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace PushListener.Inbox;

/// <summary>
/// The dispatcher's parse cache: a request leaves each message it parsed here, by dedupe key, before its append, and
/// the dispatcher takes it when it claims the entry instead of parsing the stored body again. Private to this process
/// (other processes claiming from the same store parse the body). Bounded, oldest out first, so messages that are never
/// taken here (claimed elsewhere, withdrawn late) cost nothing lasting; a miss only means a parse.
/// </summary>
internal sealed class ParsedMessageCache
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<string, NotificationMessage> _messages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>Leaves the parsed <paramref name="message"/> of the entry with dedupe key <paramref name="key"/>.</summary>
    public void Offer(string key, NotificationMessage message)
    {
        if (!_messages.TryAdd(key, message))
        {
            return;
        }

        _order.Enqueue(key);
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            _messages.TryRemove(oldest, out _);
        }
    }

    /// <summary>Takes the message left for <paramref name="key"/>, if any.</summary>
    public bool TryTake(string key, [NotNullWhen(true)] out NotificationMessage? message) => _messages.TryRemove(key, out message);

    /// <summary>Drops what was left for <paramref name="key"/> (a duplicate, or an append that failed).</summary>
    public void Withdraw(string key) => _messages.TryRemove(key, out _);
}
