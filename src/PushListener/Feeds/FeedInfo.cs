namespace PushListener.Feeds;

/// <summary>A live feed as the listener holds it in memory.</summary>
/// <param name="Handle">The handle the consumer names the feed by.</param>
/// <param name="Session">The consumer identity the feed belongs to; its feeds are linked (pending on one shows on the others).</param>
/// <param name="Name">A label, for operators.</param>
/// <param name="Scope">What it collects.</param>
/// <param name="KeyHash">SHA-256 of its consumer key, lower-case hex.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="MaxAge">Entries older than this are dropped (with a gap record when unacknowledged).</param>
/// <param name="MaxEntries">Most unacknowledged entries; past it the oldest are dropped (with a gap record).</param>
internal sealed record FeedInfo(string Handle, string Session, string? Name, FeedScope Scope, string KeyHash, DateTimeOffset CreatedAt, TimeSpan MaxAge, int MaxEntries)
{
    public FeedMatcher Matcher { get; } = new(Scope);
}
