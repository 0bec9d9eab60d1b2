using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Inbox;
using PushListener.Security;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Security;

/// <summary>The allow-list and the rate limit through the real HTTP pipeline, behind a (simulated) reverse proxy.</summary>
public sealed class SenderRestrictionsEndToEndTests
{
    private const string ApiKey = "security-tests-admin-key-0123456789";

    [Fact]
    public async Task AllowList_BehindProxy_AdmitsAllowedSource_RefusesOthersBeforeParsing()
    {
        var handler = new RecordingHandler("x");
        using var factory = BehindProxy()
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24")
            .With("PushListener:Senders:AllowedNetworks:1", "2001:db8::/32")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "x"));
        using var client = factory.CreateClient();

        using var allowed = await client.SendAsync(From("192.0.2.10", Push(1)));
        using var allowedV6 = await client.SendAsync(From("2001:db8::10", Push(2)));
        using var refused = await client.SendAsync(From("203.0.113.9", Push(3)));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowedV6.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("text/plain", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Source address 203.0.113.9 may not send notifications here.", await refused.Content.ReadAsStringAsync());
        await Eventually.TrueAsync(() => handler.Calls.Count == 2);
        var stats = await factory.Services.GetRequiredService<PushListener.Inbox.IEntryLog>().GetStatsAsync(CancellationToken.None);
        Assert.Equal(2, stats.Pending + stats.InFlight + stats.Done);
        Assert.Equal(1, factory.Services.GetRequiredService<RejectionCounter>().Snapshot().Totals[RejectionReason.NotAllowed]);
    }

    [Fact]
    public async Task AllowList_ForwardedForFromAnUntrustedPeer_IsIgnored()
    {
        // The peer is not a known proxy, so its X-Forwarded-For claim is not believed: the peer itself is judged.
        using var factory = new ListenerFactory()
            .With("PushListener:ForwardedHeaders:Enabled", "true")
            .With("PushListener:ForwardedHeaders:KnownProxies:0", "127.0.0.1")
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24")
            .WithServices(s => s.AddSingleton<IStartupFilter>(new FixedRemoteAddress(IPAddress.Parse("198.51.100.7"))));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(From("192.0.2.10", Push(1)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("198.51.100.7", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowList_AddressASenderPutsInItsOwnForwardedFor_IsNotBelieved()
    {
        // The proxy appends the real peer; only that last entry counts.
        using var factory = BehindProxy().With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(From("192.0.2.10, 203.0.113.9", Push(1)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("203.0.113.9", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowList_DualStackSocket_MappedAddressMatchesIPv4Range()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24")
            .WithServices(s => s.AddSingleton<IStartupFilter>(new FixedRemoteAddress(IPAddress.Parse("::ffff:192.0.2.10"))));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(Push(1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AllowList_CoversTheEndpointAndItsSubPaths_NotHealthOrAdmin()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24")
            .With("PushListener:Admin:ApiKey", ApiKey)
            .WithServices(s => s.AddSingleton<IStartupFilter>(new FixedRemoteAddress(IPAddress.Parse("203.0.113.9"))));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        using var health = await client.GetAsync("/healthz");
        using var admin = await client.GetAsync("/api/inbox");
        using var post = await client.SendAsync(Soap.Post(Push(1)));
        using var upperCase = await client.SendAsync(Soap.Post(Push(2), path: "/EWS/Notifications"));
        using var token = await client.SendAsync(Soap.Post(Push(3), path: "/ews/notifications/some-token"));
        using var wsdl = await client.GetAsync("/ews/notifications?wsdl");
        using var neighbour = await client.SendAsync(Soap.Post(Push(4), path: "/ews/notificationsX"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, upperCase.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, token.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wsdl.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, neighbour.StatusCode);
    }

    [Fact]
    public async Task AllowList_ManyRefusals_OneLogLineForTheSource_AndNoRequestLogLines()
    {
        var logs = new CapturedLogs();
        var serilog = new SerilogCapture();
        using var factory = BehindProxy()
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(logs).AddSingleton(serilog.HostLogger));
        using var client = factory.CreateClient();

        for (var i = 1; i <= 20; i++)
        {
            using var response = await client.SendAsync(From("203.0.113.9", Push(i)));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var other = await client.SendAsync(From("203.0.113.10", Push(21)));

        var lines = logs.From<RejectionCounter>();
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.StartsWith("Rejected a request from 203.0.113.9: not in PushListener:Senders:AllowedNetworks", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Rejected a request from 203.0.113.10:", StringComparison.Ordinal));
        // Refusals are counted by the sender restrictions, not written one request line each (other requests are).
        using (await client.GetAsync("/healthz/live"))
        {
        }

        await Eventually.TrueAsync(() => serilog.RequestLines.Any(e => e.Properties["RequestPath"].ToString() == "\"/healthz/live\""));
        Assert.DoesNotContain(serilog.RequestLines, e => e.Properties["StatusCode"].ToString() == "403");
        var counts = factory.Services.GetRequiredService<RejectionCounter>().Snapshot();
        Assert.Equal(20, counts.Sources.Single(s => s.Source == "203.0.113.9").Count);
        Assert.Equal(21, counts.Totals[RejectionReason.NotAllowed]);
    }

    [Fact]
    public async Task RateLimit_ThirdRequestInTheWindow_Gets429WithRetryAfter_OtherSourcesUnaffected()
    {
        using var factory = BehindProxy()
            .With("PushListener:Senders:RateLimit:PermitsPerSecond", "0.01") // one token per 100 s: no refill during the test
            .With("PushListener:Senders:RateLimit:Burst", "2");
        using var client = factory.CreateClient();

        using var first = await client.SendAsync(From("203.0.113.9", Push(1)));
        using var second = await client.SendAsync(From("203.0.113.9", Push(2)));
        using var third = await client.SendAsync(From("203.0.113.9", Push(3)));
        using var mappedSameSource = await client.SendAsync(From("::ffff:203.0.113.9", Push(4)));
        using var otherSource = await client.SendAsync(From("203.0.113.10", Push(5)));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 100);
        Assert.StartsWith("Too many requests from this address; retry after", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, mappedSameSource.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherSource.StatusCode);
        var counts = factory.Services.GetRequiredService<RejectionCounter>().Snapshot();
        Assert.Equal(2, counts.Sources.Single(s => s.Source == "203.0.113.9" && s.Reason == RejectionReason.RateLimited).Count);
    }

    [Fact]
    public async Task RateLimit_DoesNotApplyToHealthChecks()
    {
        using var factory = BehindProxy()
            .With("PushListener:Senders:RateLimit:PermitsPerSecond", "0.01")
            .With("PushListener:Senders:RateLimit:Burst", "1");
        using var client = factory.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task BodyTooLarge_IsCounted()
    {
        using var factory = BehindProxy().With("PushListener:Endpoint:MaxRequestBytes", "4096");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(From("192.0.2.10", PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1, padding: 8000)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var counts = factory.Services.GetRequiredService<RejectionCounter>().Snapshot();
        Assert.Equal(1, counts.Totals[RejectionReason.BodyTooLarge]);
        Assert.Equal("192.0.2.10", Assert.Single(counts.Sources).Source);
    }

    [Fact]
    public async Task Rejections_AreShownByTheAdminApi()
    {
        using var factory = BehindProxy()
            .With("PushListener:Admin:ApiKey", ApiKey)
            .With("PushListener:Senders:AllowedNetworks:0", "192.0.2.0/24");
        using var client = factory.CreateClient();
        using (await client.SendAsync(From("203.0.113.9", Push(1))))
        using (await client.SendAsync(From("203.0.113.9", Push(2))))
        {
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/senders/rejections");
        request.Headers.Add("X-Api-Key", ApiKey);
        using var response = await client.SendAsync(request);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var source = Assert.Single(json.RootElement.GetProperty("sources").EnumerateArray());
        Assert.Equal("203.0.113.9", source.GetProperty("source").GetString());
        Assert.Equal(2, source.GetProperty("count").GetInt64());
        Assert.Equal("NotAllowed", source.GetProperty("reason").GetString());
    }

    // A reverse proxy on loopback, trusted through the settings, forwarding for the address in X-Forwarded-For.
    private static ListenerFactory BehindProxy() => new ListenerFactory()
        .With("PushListener:ForwardedHeaders:Enabled", "true")
        .With("PushListener:ForwardedHeaders:KnownProxies:0", "127.0.0.1")
        .With("PushListener:Handlers:log:Enabled", "false")
        .WithServices(s => s.AddSingleton<IStartupFilter>(new FixedRemoteAddress(IPAddress.Loopback)));

    private static HttpRequestMessage From(string forwardedFor, byte[] push)
    {
        var request = Soap.Post(push);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    private static byte[] Push(int sequence) => PushBuilder.NewMail(PushBuilder.SubscriptionId(1), sequence);
}
