using System.Collections.Concurrent;
using System.Text.Json;
using PushListener.Tests.Handlers.Webhook;
using PushListener.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>
/// Two real listener processes on one PostgreSQL database, each push of a subscription's chain going to the other
/// instance than the one before, every notification delivered to one webhook receiver that records the order.
/// </summary>
public sealed class SeveralInstancesTests(PostgreSqlServer server, ITestOutputHelper output) : IClassFixture<PostgreSqlServer>
{
    private const int Subscriptions = 6;
    private const string ApiKey = "several-instances-test-key";

    [Fact]
    public async Task OneOfTwoKilledMidLoad_EveryAcknowledgedNotificationIsDeliveredInOrder()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(connection, receiver);
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var retriedElsewhere = 0;
        var sent = 0;

        await using var b = await ListenerProcess.StartAsync(settings);
        var a = await ListenerProcess.StartAsync(settings);
        try
        {
            using var clientB = new HttpClient { BaseAddress = b.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

            // The load balancer's view: the first slot is instance A, then A restarted (on another port).
            var clients = new[] { new HttpClient { BaseAddress = a.BaseAddress, Timeout = TimeSpan.FromSeconds(10) }, clientB };
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, Subscriptions).Select(n => Task.Run(async () =>
            {
                var subscription = PushBuilder.SubscriptionId(n);
                for (var seq = 1; !stop.IsCancellationRequested && seq <= 2000; seq++)
                {
                    Interlocked.Increment(ref sent);

                    // Alternate instances along the chain; when one fails, Exchange's retry reaches the other.
                    var first = Volatile.Read(ref clients[(seq + n) % 2]);
                    if (await TrySendAsync(first, subscription, seq) is { } status)
                    {
                        Record(status, subscription, seq);
                        continue;
                    }

                    Interlocked.Increment(ref retriedElsewhere);
                    var second = Volatile.Read(ref clients[(seq + n + 1) % 2]);
                    if (await TrySendAsync(second, subscription, seq) is { } retried)
                    {
                        Record(retried, subscription, seq);
                        continue;
                    }

                    return;
                }
            })).ToArray();

            void Record(string status, string subscription, int seq)
            {
                Assert.Equal("OK", status);
                acknowledged[PushBuilder.Watermark(subscription, seq)] = true;
            }

            await Eventually.TrueAsync(() => acknowledged.Count >= 300, TimeSpan.FromSeconds(60));
            await a.KillAsync();
            var atKill = acknowledged.Count;
            await Eventually.TrueAsync(() => acknowledged.Count >= atKill + 150, TimeSpan.FromSeconds(60));
            await using (var restarted = await ListenerProcess.StartAsync(settings))
            {
                var dead = Volatile.Read(ref clients[0]);
                Volatile.Write(ref clients[0], new HttpClient { BaseAddress = restarted.BaseAddress, Timeout = TimeSpan.FromSeconds(10) });
                await Eventually.TrueAsync(() => acknowledged.Count >= atKill + 300, TimeSpan.FromSeconds(60));
                await stop.CancelAsync();
                await Task.WhenAll(senders);
                dead.Dispose();
                clients[0].Dispose();

                // The killed instance's leases run out (LeaseDuration 3 s) and the others take its entries over.
                await Eventually.TrueAsync(() => acknowledged.Keys.All(Delivered(receiver).ContainsKey), TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            await a.DisposeAsync();
        }

        var deliveries = Deliveries(receiver);
        var counts = Delivered(receiver);
        var duplicates = counts.Values.Sum(c => c - 1);
        var gaps = receiver.Requests.Count(r => IsGap(r.Body));
        output.WriteLine($"sent {sent}, acknowledged {acknowledged.Count}, retried on the other instance {retriedElsewhere}, delivered {counts.Count}, " +
            $"delivered more than once (in flight at the kill) {duplicates}, gap events {gaps}");

        Assert.DoesNotContain(acknowledged.Keys, k => !counts.ContainsKey(k));
        Assert.Equal(0, gaps);

        // Per subscription, each notification first arrives after every earlier one: the order of the chain.
        foreach (var chain in deliveries.GroupBy(d => d.Subscription))
        {
            var firstSeen = new List<int>();
            var seen = new HashSet<int>();
            foreach (var delivery in chain)
            {
                if (seen.Add(delivery.Sequence))
                {
                    firstSeen.Add(delivery.Sequence);
                }
            }

            Assert.Equal(firstSeen.Order(), firstSeen);
        }

        // Only what was claimed by the killed instance can run twice: a few dispatch batches, never the load.
        Assert.True(duplicates <= 200, $"{duplicates} deliveries were repeated");
    }

    [Fact]
    public async Task ChainedPushesAlternatingBetweenInstances_NoFalseGap_AndARetryToTheOtherIsADuplicate()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(connection, receiver);
        await using var a = await ListenerProcess.StartAsync(settings);
        await using var b = await ListenerProcess.StartAsync(settings);
        using var clientA = new HttpClient { BaseAddress = a.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var clientB = new HttpClient { BaseAddress = b.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var subscription = PushBuilder.SubscriptionId(42);

        for (var seq = 1; seq <= 20; seq++)
        {
            Assert.Equal("OK", await TrySendAsync(seq % 2 == 0 ? clientB : clientA, subscription, seq));
        }

        // Exchange did not hear the answer to push 20 (sent to B) and retries it to A.
        Assert.Equal("OK", await TrySendAsync(clientA, subscription, 20));

        await Eventually.TrueAsync(() => Delivered(receiver).Count == 20, TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/subscriptions/one?id=" + Uri.EscapeDataString(subscription)) { Headers = { { "X-Api-Key", ApiKey } } };
        using var subscriptions = await clientA.SendAsync(request);
        var record = JsonDocument.Parse(await subscriptions.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(20, record.GetProperty("notifications").GetInt64());
        Assert.Equal(0, record.GetProperty("gaps").GetInt64());
        Assert.Equal(0, receiver.Requests.Count(r => IsGap(r.Body)));
        Assert.All(Delivered(receiver).Values, count => Assert.Equal(1, count));
    }

    private static string[] Settings(string connection, WebhookReceiver receiver) =>
    [
        "--PushListener:Storage:Provider=PostgreSql",
        "--ConnectionStrings:PushListener=" + connection,
        "--PushListener:Storage:PostgreSql:ConnectionCheckInterval=00:00:00.500",
        "--PushListener:Inbox:DataFolder=" + Path.Combine(Path.GetTempPath(), "pushlistener-tests", "instances-" + Guid.NewGuid().ToString("N")),
        "--PushListener:Inbox:LeaseDuration=00:00:03",
        "--PushListener:Inbox:ReplyBudget=00:00:00",
        "--PushListener:Handlers:log:Enabled=false",
        "--PushListener:Admin:ApiKey=" + ApiKey,
        "--PushListener:Handlers:record:Type=Webhook",
        "--PushListener:Handlers:record:Settings:Urls:0=" + receiver.UrlFor("/record"),
        "--PushListener:Handlers:record:Settings:Secret=" + WebhookTestSupport.Secret,
        "--PushListener:Handlers:record:Settings:InitialBackoff=00:00:00.050",
    ];

    /// <summary>The answer's status, or null when the instance did not answer (gone, or a Server fault).</summary>
    private static async Task<string?> TrySendAsync(HttpClient client, string subscription, int seq)
    {
        try
        {
            using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, seq)));
            return response.IsSuccessStatusCode ? Soap.StatusOf(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    private static bool IsGap(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("type").GetString() == "lifecycle"
            && json.RootElement.GetProperty("lifecycle").GetProperty("kind").GetString() is "gapDetected" or "GapDetected";
    }

    private static List<(string Subscription, int Sequence, string Watermark)> Deliveries(WebhookReceiver receiver)
    {
        var deliveries = new List<(string, int, string)>();
        foreach (var request in receiver.Requests)
        {
            using var json = JsonDocument.Parse(request.Body);
            if (json.RootElement.GetProperty("type").GetString() != "notification")
            {
                continue;
            }

            var subscription = json.RootElement.GetProperty("subscriptionId").GetString()!;
            foreach (var e in json.RootElement.GetProperty("events").EnumerateArray())
            {
                var watermark = e.GetProperty("watermark").GetString()!;
                var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(watermark));
                deliveries.Add((subscription, int.Parse(text[(text.LastIndexOf('|') + 1)..], System.Globalization.CultureInfo.InvariantCulture), watermark));
            }
        }

        return deliveries;
    }

    private static Dictionary<string, int> Delivered(WebhookReceiver receiver)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, _, watermark) in Deliveries(receiver))
        {
            counts[watermark] = counts.GetValueOrDefault(watermark) + 1;
        }

        return counts;
    }
}
