// Pulls one PushListener feed with long-polls and acknowledges each batch on the next fetch (docs/feeds.md).
//
//   FEED_URL=http://localhost:5080 FEED_HANDLE=fd_... FEED_KEY=fk_... dotnet run --project samples/FeedConsumer
//
// Delivery is at-least-once: after a crash, or when a batch is not acknowledged within the visibility timeout, entries
// come again (deliveryCount > 1). Make processing idempotent, for example by payload.deliveryId.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FeedConsumer;

var baseUrl = Environment.GetEnvironmentVariable("FEED_URL") ?? "http://localhost:5080";
var handle = Environment.GetEnvironmentVariable("FEED_HANDLE") ?? throw new InvalidOperationException("Set FEED_HANDLE to the feed's handle.");
var key = Environment.GetEnvironmentVariable("FEED_KEY") ?? throw new InvalidOperationException("Set FEED_KEY to the feed's consumer key.");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// The HTTP timeout must outlast the long-poll wait.
using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(90) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

long? ack = null;
var delay = TimeSpan.FromSeconds(1);
while (!stop.IsCancellationRequested)
{
    try
    {
        // Acknowledging on the next fetch saves a round trip; what was not acknowledged comes back after the visibility timeout.
        var url = $"/api/feeds/{handle}/notifications?wait=30&maxBytes=262144" + (ack is { } cursor ? $"&ack={cursor}" : string.Empty);
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative), stop.Token);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)
        {
            await Console.Error.WriteLineAsync($"Feed {handle} is gone (released, or the key is wrong): {response.StatusCode}");
            return 1;
        }

        response.EnsureSuccessStatusCode();
        var batch = await response.Content.ReadFromJsonAsync(FeedJsonContext.Default.FeedBatch, stop.Token)
            ?? throw new InvalidOperationException("Empty answer.");
        foreach (var entry in batch.Entries)
        {
            Process(entry);
        }

        // Null when the batch was empty: nothing new to acknowledge.
        ack = batch.Cursor;
        if (batch.SessionPending)
        {
            Console.WriteLine($"Linked feeds have notifications waiting: {string.Join(", ", batch.PendingHandles)}");
        }

        // pending = more is waiting: the next fetch answers at once. Otherwise it long-polls.
        delay = TimeSpan.FromSeconds(1);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        break;
    }
    catch (HttpRequestException ex)
    {
        // The listener restarts or the network blips: back off and try again; unacknowledged entries are kept.
        await Console.Error.WriteLineAsync($"Fetch failed ({ex.Message}); retrying in {delay.TotalSeconds:0} s");
        await Task.Delay(delay, CancellationToken.None);
        delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
    }
}

if (ack is { } last)
{
    // Acknowledge the last batch before leaving, so it is not delivered again to the next run.
    using var final = await http.PostAsJsonAsync(new Uri($"/api/feeds/{handle}/ack", UriKind.Relative), new FeedAck(last), FeedJsonContext.Default.FeedAck);
}

return 0;

static void Process(FeedEntry entry)
{
    var payload = entry.Payload;
    switch (entry.Kind)
    {
        case "gap":
            // Entries were dropped unacknowledged (retention): resynchronise the mailbox state, e.g. with EWS SyncFolderItems.
            Console.WriteLine($"#{entry.Seq} GAP: {payload.GetProperty("dropped").GetInt64()} notifications lost ({payload.GetProperty("reason").GetString()})");
            break;
        case "lifecycle":
            Console.WriteLine($"#{entry.Seq} {payload.GetProperty("lifecycle").GetProperty("kind").GetString()} for {payload.GetProperty("subscriptionId").GetString()}");
            break;
        default:
            var events = payload.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString());
            Console.WriteLine($"#{entry.Seq} {entry.Kind} {payload.GetProperty("subscriptionId").GetString()}: {string.Join(", ", events)}"
                + (entry.DeliveryCount > 1 ? $" (delivery {entry.DeliveryCount})" : string.Empty));
            break;
    }
}
