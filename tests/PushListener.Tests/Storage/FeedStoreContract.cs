using System.Text;
using PushListener.Feeds;

namespace PushListener.Tests.Storage;

/// <summary>The feeds' contract (<see cref="IFeedStore"/>): appends at most once per delivery, fetches lease, acknowledgements remove.</summary>
public abstract class FeedStoreContract : StoreContract
{
    [Fact]
    public async Task Append_SameDeliveryTwice_StoresOneEntry()
    {
        var feed = await CreateFeedAsync("f1");

        await Storage.Feeds.AppendAsync([new FeedAppend(feed, "7", FeedEntryKind.Notification, Json("a"))], CancellationToken.None);
        await Storage.Feeds.AppendAsync([new FeedAppend(feed, "7", FeedEntryKind.Notification, Json("a"))], CancellationToken.None);

        var counters = await Storage.Feeds.GetCountersAsync("f1", CancellationToken.None);
        Assert.Equal((1L, 1L), (counters!.Appended, counters.Unacknowledged));
    }

    [Fact]
    public async Task Fetch_LeasesEntriesUntilTheVisibilityTimeout()
    {
        var feed = await CreateFeedAsync("f1");
        await Storage.Feeds.AppendAsync([new FeedAppend(feed, "1", FeedEntryKind.Notification, Json("a")), new FeedAppend(feed, "2", FeedEntryKind.Notification, Json("b"))], CancellationToken.None);

        var first = await Storage.Feeds.FetchAsync("f1", "s", null, 1 << 20, 100, TimeSpan.FromSeconds(30), CancellationToken.None);
        var second = await Storage.Feeds.FetchAsync("f1", "s", null, 1 << 20, 100, TimeSpan.FromSeconds(30), CancellationToken.None);
        Time.Advance(TimeSpan.FromSeconds(31));
        var third = await Storage.Feeds.FetchAsync("f1", "s", null, 1 << 20, 100, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal([1L, 2L], first!.Entries.Select(e => e.Seq));
        Assert.Empty(second!.Entries);
        Assert.Equal([1L, 2L], third!.Entries.Select(e => e.Seq));
    }

    [Fact]
    public async Task Acknowledge_RemovesHandedOutEntriesUpToTheCursor()
    {
        var feed = await CreateFeedAsync("f1");
        await Storage.Feeds.AppendAsync([new FeedAppend(feed, "1", FeedEntryKind.Notification, Json("a")), new FeedAppend(feed, "2", FeedEntryKind.Notification, Json("b"))], CancellationToken.None);
        await Storage.Feeds.FetchAsync("f1", "s", null, 1 << 20, 1, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(1, await Storage.Feeds.AcknowledgeAsync("f1", 2, CancellationToken.None));

        var counters = await Storage.Feeds.GetCountersAsync("f1", CancellationToken.None);
        Assert.Equal((1L, 1L), (counters!.Acknowledged, counters.Unacknowledged));
        Assert.Null(await Storage.Feeds.AcknowledgeAsync("missing", 2, CancellationToken.None));
    }

    [Fact]
    public async Task Create_BeyondTheLimit_IsRefused_AndReleaseDeletesTheFeed()
    {
        await CreateFeedAsync("f1");

        Assert.False(await Storage.Feeds.CreateAsync(Feed("f2"), maxFeeds: 1, CancellationToken.None));
        Assert.True(await Storage.Feeds.ReleaseAsync("f1", CancellationToken.None));
        Assert.False(await Storage.Feeds.ReleaseAsync("f1", CancellationToken.None));
        Assert.Empty(await Storage.Feeds.LoadAsync(CancellationToken.None));
    }

    private async Task<FeedInfo> CreateFeedAsync(string handle)
    {
        var feed = Feed(handle);
        Assert.True(await Storage.Feeds.CreateAsync(feed, maxFeeds: 10, CancellationToken.None));
        Assert.Equal(handle, Assert.Single(await Storage.Feeds.LoadAsync(CancellationToken.None), f => f.Handle == handle).Handle);
        return feed;
    }

    private FeedInfo Feed(string handle) =>
        new(handle, "s", null, new FeedScope(), Convert.ToHexStringLower(Encoding.UTF8.GetBytes(handle.PadRight(32, '0'))), Time.GetUtcNow(), TimeSpan.FromDays(1), 1000);

    private static byte[] Json(string value) => Encoding.UTF8.GetBytes("{\"v\":\"" + value + "\"}");
}
