using System.Security.Cryptography;
using System.Text;

namespace PushListener.Feeds;

/// <summary>
/// The live feeds in memory: loaded at start-up, changed on register and release. The handler matches against
/// <see cref="Active"/> (a snapshot array) so the pipeline never queries the store per notification.
/// </summary>
internal sealed class FeedRegistry
{
    private readonly TaskCompletionSource<bool> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FeedInfo> _byHandle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FeedInfo> _byKeyHash = new(StringComparer.Ordinal);
    private FeedInfo[] _active = [];

    /// <summary>Completes once the feeds are loaded: true, or false when the inbox store cannot hold feeds.</summary>
    public Task<bool> Loaded => _loaded.Task;

    public IReadOnlyList<FeedInfo> Active => Volatile.Read(ref _active);

    public int Count => Active.Count;

    public void Load(IEnumerable<FeedInfo> feeds)
    {
        lock (_gate)
        {
            foreach (var feed in feeds)
            {
                _byHandle[feed.Handle] = feed;
                _byKeyHash[feed.KeyHash] = feed;
            }

            Publish();
        }

        _loaded.TrySetResult(true);
    }

    public void MarkUnavailable() => _loaded.TrySetResult(false);

    public FeedInfo? Get(string handle)
    {
        lock (_gate)
        {
            return _byHandle.GetValueOrDefault(handle);
        }
    }

    /// <summary>The feed whose consumer key is <paramref name="key"/>, or null.</summary>
    public FeedInfo? FindByKey(string key)
    {
        var hash = FeedKeys.Hash(key);
        FeedInfo? feed;
        lock (_gate)
        {
            feed = _byKeyHash.GetValueOrDefault(hash);
        }

        // The lookup is by hash, so timing reveals nothing about stored keys; the fixed-time compare is belt and braces.
        return feed is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(feed.KeyHash), Encoding.ASCII.GetBytes(hash)) ? feed : null;
    }

    public void Add(FeedInfo feed)
    {
        lock (_gate)
        {
            _byHandle[feed.Handle] = feed;
            _byKeyHash[feed.KeyHash] = feed;
            Publish();
        }
    }

    public FeedInfo? Remove(string handle)
    {
        lock (_gate)
        {
            if (!_byHandle.Remove(handle, out var feed))
            {
                return null;
            }

            _byKeyHash.Remove(feed.KeyHash);
            Publish();
            return feed;
        }
    }

    private void Publish() => Volatile.Write(ref _active, [.. _byHandle.Values.OrderBy(f => f.CreatedAt).ThenBy(f => f.Handle, StringComparer.Ordinal)]);
}
