using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Inbox;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Feeds.FeedTestSupport;

namespace PushListener.Tests.Feeds;

/// <summary>Long-polling, acknowledgement and redelivery, release, and the event stream.</summary>
public sealed class FeedDeliveryTests
{
    private static readonly string Sub = PushBuilder.SubscriptionId(3);

    [Fact]
    public async Task LongPoll_WakesOnArrival_AndTimesOutEmpty()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        using var consumer = Consumer(factory, feed);

        var clock = Stopwatch.StartNew();
        var empty = await FetchAsync(consumer, feed.Handle, "wait=1");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), clock.Elapsed.ToString());
        Assert.Empty(empty.Entries);
        Assert.Null(empty.Cursor);
        Assert.False(empty.Pending);

        var waiting = FetchAsync(consumer, feed.Handle, "wait=30");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        clock.Restart();
        await PostAsync(admin, PushBuilder.NewMail(Sub, 1));
        var batch = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(1, Assert.Single(batch.Entries).MailSequence);
    }

    [Fact]
    public async Task Acknowledged_IsNotReturnedAgain_Unacknowledged_ComesBackAfterTheVisibilityTimeout()
    {
        using var factory = Factory().With("PushListener:Feeds:VisibilityTimeout", "00:00:01");
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        using var consumer = Consumer(factory, feed);
        await PostAsync(admin, PushBuilder.NewMail(Sub, 1));
        await PostAsync(admin, PushBuilder.NewMail(Sub, 2));
        await AppendedAsync(admin, feed.Handle, 2);

        var first = await FetchAsync(consumer, feed.Handle);
        Assert.Equal([1, 1], first.Entries.Select(e => e.DeliveryCount));
        Assert.Empty((await FetchAsync(consumer, feed.Handle)).Entries);
        // The long-poll wakes when the lease ends, well before its wait is over.
        var clock = Stopwatch.StartNew();
        var again = await FetchAsync(consumer, feed.Handle, "wait=20");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(first.Entries.Select(e => e.Seq), again.Entries.Select(e => e.Seq));
        Assert.Equal([2, 2], again.Entries.Select(e => e.DeliveryCount));

        using var ack = await consumer.PostAsJsonAsync($"/api/feeds/{feed.Handle}/ack", new { cursor = again.Cursor });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Contains("\"acknowledged\":2", await ack.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(1200);
        Assert.Empty((await FetchAsync(consumer, feed.Handle)).Entries);
        var counters = (await GetAsync(consumer, feed.Handle)).GetProperty("counters");
        Assert.Equal(2, counters.GetProperty("acknowledged").GetInt64());
        Assert.Equal(4, counters.GetProperty("delivered").GetInt64());
        Assert.Equal(0, counters.GetProperty("unacknowledged").GetInt64());
    }

    [Fact]
    public async Task AckOnTheNextFetch_AcknowledgesUpToTheCursor()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        for (var i = 1; i <= 3; i++)
        {
            await PostAsync(admin, PushBuilder.NewMail(Sub, i));
        }

        await AppendedAsync(admin, feed.Handle, 3);
        var first = await FetchAsync(admin, feed.Handle, "max=2");
        var second = await FetchAsync(admin, feed.Handle, $"max=2&ack={first.Cursor}");

        Assert.Equal(2, second.Acknowledged);
        Assert.Equal([3], second.Entries.Select(e => e.MailSequence));
        Assert.Equal(2, await CounterAsync(admin, feed.Handle, "acknowledged"));
    }

    [Fact]
    public async Task Release_StopsCollection_FreesEntries_EndsWaitingPolls_AndRevokesTheKey()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var released = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        var kept = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        using var consumer = Consumer(factory, released);
        await PostAsync(admin, PushBuilder.NewMail(Sub, 1));
        await AppendedAsync(admin, released.Handle, 1);
        await FetchAsync(consumer, released.Handle);
        var waiting = consumer.GetAsync($"/api/feeds/{released.Handle}/notifications?wait=30");
        await Task.Delay(200);

        using var delete = await consumer.DeleteAsync($"/api/feeds/{released.Handle}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var ended = await waiting.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/feeds/{released.Handle}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await consumer.GetAsync($"/api/feeds/{released.Handle}")).StatusCode);
        await PostAsync(admin, PushBuilder.NewMail(Sub, 2));
        await AppendedAsync(admin, kept.Handle, 2);
        Assert.Equal(0, await CountEntriesAsync(factory, released.Handle));
    }

    [Fact]
    public async Task Stream_DeliversInOrder_LiveArrivals_AndResumesFromLastEventId()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        using var consumer = Consumer(factory, feed);
        await PostAsync(admin, PushBuilder.NewMail(Sub, 1));
        await PostAsync(admin, PushBuilder.NewMail(Sub, 2));
        await AppendedAsync(admin, feed.Handle, 2);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using (var stream = await SseStream.OpenAsync(consumer, feed.Handle, null, timeout.Token))
        {
            var early = await stream.ReadAsync(2, timeout.Token);
            Assert.Equal(["1", "2"], early.Select(e => e.Id));
            await PostAsync(admin, PushBuilder.NewMail(Sub, 3));
            var live = Assert.Single(await stream.ReadAsync(1, timeout.Token));
            Assert.Equal("3", live.Id);
            Assert.Equal(3, live.Entry.MailSequence);
        }

        await PostAsync(admin, PushBuilder.NewMail(Sub, 4));
        await PostAsync(admin, PushBuilder.NewMail(Sub, 5));
        await AppendedAsync(admin, feed.Handle, 5);

        // The client saw up to 2 before it went away: 1 and 2 are acknowledged, 3 (sent, not confirmed) comes again.
        await using (var resumed = await SseStream.OpenAsync(consumer, feed.Handle, "2", timeout.Token))
        {
            var events = await resumed.ReadAsync(3, timeout.Token);
            Assert.Equal(["3", "4", "5"], events.Select(e => e.Id));
            Assert.Equal([3, 4, 5], events.Select(e => e.Entry.MailSequence));
        }

        Assert.Equal(2, await CounterAsync(admin, feed.Handle, "acknowledged"));
    }

    internal static async Task<long> CountEntriesAsync(ListenerFactory factory, string handle)
    {
        var database = factory.Services.GetRequiredService<SqliteDatabase>();
        await using var connection = await database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM feed_entries WHERE handle = $h";
        command.Parameters.Add(new SqliteParameter("$h", handle));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A minimal Server-Sent Events reader: id and data lines, events ended by a blank line.</summary>
    private sealed class SseStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private SseStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<SseStream> OpenAsync(HttpClient client, string handle, string? lastEventId, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/feeds/{handle}/stream");
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }

            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
        }

        public async Task<IReadOnlyList<(string Id, FeedEntryView Entry)>> ReadAsync(int count, CancellationToken cancellationToken)
        {
            var events = new List<(string, FeedEntryView)>();
            string? id = null, data = null;
            while (events.Count < count)
            {
                var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("The stream ended.");
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
                else if (line.Length == 0 && data is not null)
                {
                    events.Add((id!, new FeedEntryView(data)));
                    (id, data) = (null, null);
                }
            }

            return events;
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
