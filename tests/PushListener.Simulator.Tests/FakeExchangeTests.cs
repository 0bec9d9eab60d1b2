using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Xml.Linq;
using PushListener.Protocol;
using PushListener.Simulator.Exchange;
using PushListener.Simulator.Tests.Infrastructure;

namespace PushListener.Simulator.Tests;

/// <summary>The simulator's exchange mode: Subscribe checked and answered as Exchange does, then pushes, faults on request.</summary>
public sealed class FakeExchangeTests
{
    private static readonly XNamespace M = XmlNames.Messages;

    private static FakeExchangeOptions Options(double timeScale = 1) => new()
    {
        Listen = new Uri("http://127.0.0.1:0"),
        Users = new Dictionary<string, string> { ["svc@contoso.com"] = "s3cret" },
        Clients = new Dictionary<string, string> { ["app-id"] = "app-secret" },
        TimeScale = timeScale,
        PushTimeout = TimeSpan.FromSeconds(5),
    };

    private static string SubscribeBody(Uri url, string? watermark = null, string statusFrequency = "1", string mailbox = "alice@contoso.com", bool impersonate = true) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
          <soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/>{(impersonate ? $"<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>{mailbox}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>" : "")}</soap:Header>
          <soap:Body><m:Subscribe><m:PushSubscriptionRequest>
            <t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds>
            <t:EventTypes><t:EventType>NewMailEvent</t:EventType><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType><t:EventType>MovedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType><t:EventType>CopiedEvent</t:EventType></t:EventTypes>
            {(watermark is null ? "" : $"<t:Watermark>{watermark}</t:Watermark>")}
            <t:StatusFrequency>{statusFrequency}</t:StatusFrequency>
            <t:URL>{url}</t:URL>
          </m:PushSubscriptionRequest></m:Subscribe></soap:Body>
        </soap:Envelope>
        """;

    private static async Task<(HttpStatusCode Status, XDocument? Body, HttpResponseMessage Response)> SubscribeAsync(HttpClient client, Uri ews, string body, string? user = "svc@contoso.com", string password = "s3cret", string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ews) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        else if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        request.Headers.Add("X-AnchorMailbox", "alice@contoso.com");
        request.Headers.Add("X-PreferServerAffinity", "true");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : XDocument.Parse(text), response);
    }

    private static string? Code(XDocument? document) =>
        document?.Descendants(M + "ResponseCode").FirstOrDefault()?.Value
        ?? document?.Descendants().FirstOrDefault(e => e.Name.LocalName == "ResponseCode")?.Value;

    [Fact]
    public async Task Subscribe_WithBasicCredentials_AnswersAnIdAndPushesAHeartbeatThenEvents()
    {
        await using var listener = await LoopbackListener.StartAsync(static (_, context) => Answers.Ok(context));
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();

        var (status, body, response) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(listener.Url));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("NoError", Code(body));
        var id = body!.Descendants(M + "SubscriptionId").Single().Value;
        var watermark = body.Descendants(M + "Watermark").Single().Value;
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("X-BackEndOverrideCookie=", StringComparison.Ordinal));
        var call = Assert.Single(host.Exchange.Calls);
        Assert.Equal(("alice@contoso.com", "true", "Basic", true), (call.AnchorMailbox, call.PreferServerAffinity, call.AuthenticationScheme, call.Impersonated));

        // The first push goes out at once: a StatusEvent chained to the subscription's watermark.
        await Eventually.TrueAsync(() => listener.Of(id).Count == 1, "the first heartbeat");
        var first = listener.Of(id)[0].Request!.Messages[0].Notification!;
        Assert.Equal(watermark, first.PreviousWatermark);
        Assert.True(first.IsHeartbeat);

        host.Exchange.Mailbox("alice@contoso.com").AddActivity(3);
        // The actions may be split over several pushes (MoreEvents); wait for the one that carries the new mail.
        await Eventually.TrueAsync(
            () => listener.Of(id).Skip(1).Any(a => a.Request!.Messages[0].Notification!.Events.Any(e => e.Kind == EventKind.NewMail)),
            "the events");
        var pushes = listener.Of(id).Select(a => a.Request!.Messages[0].Notification!).ToList();
        for (var i = 1; i < pushes.Count; i++)
        {
            Assert.Equal(pushes[i - 1].LastWatermark, pushes[i].PreviousWatermark);
        }
    }

    [Fact]
    public async Task Subscribe_WrongPassword_Is401()
    {
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();

        var (status, _, response) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/x")), password: "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Empty(host.Exchange.Subscriptions);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1441")]
    public async Task Subscribe_AgainstTheSchema_RefusesAnInvalidRequest(string statusFrequency)
    {
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();

        var (status, body, _) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/x"), statusFrequency: statusFrequency));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("ErrorSchemaValidation", Code(body));
    }

    [Fact]
    public async Task Subscribe_ElementsOutOfOrder_AreRefused()
    {
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();
        var body = SubscribeBody(new Uri("http://127.0.0.1:9/x"), watermark: "AAAA")
            .Replace("<t:Watermark>AAAA</t:Watermark>", "", StringComparison.Ordinal)
            .Replace("</t:URL>", "</t:URL><t:Watermark>AAAA</t:Watermark>", StringComparison.Ordinal);

        var (status, document, _) = await SubscribeAsync(client, host.EwsUrl, body);

        Assert.Equal((HttpStatusCode.InternalServerError, "ErrorSchemaValidation"), (status, Code(document)));
    }

    [Fact]
    public async Task Faults_ServerBusy_InvalidWatermark_ExceededCount_AreAnsweredAsExchangeDoes()
    {
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();
        var url = new Uri("http://127.0.0.1:9/x");
        var fresh = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url));
        var watermark = fresh.Body!.Descendants(M + "Watermark").Single().Value;

        using (var add = await client.PostAsJsonAsync(new Uri(host.BaseUrl, "/fake/faults"), new { kind = "ServerBusy", backOffMilliseconds = 4321 }))
        {
            add.EnsureSuccessStatusCode();
        }

        var (status, busy, _) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url));
        Assert.Equal((HttpStatusCode.InternalServerError, "ErrorServerBusy"), (status, Code(busy)));
        Assert.Equal("4321", busy!.Descendants().Single(e => e.Name.LocalName == "Value" && (string?)e.Attribute("Name") == "BackOffMilliseconds").Value);

        host.Exchange.AddFault(new FakeFault(FakeFaultKind.InvalidWatermark));
        // A fresh request does not take the watermark fault; the next one with a watermark does.
        Assert.Equal("NoError", Code((await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url))).Body));
        Assert.Equal("ErrorInvalidWatermark", Code((await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url, watermark))).Body));
        Assert.Equal("NoError", Code((await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url, watermark))).Body));

        // A watermark the mailbox never issued is refused like one older than 30 days.
        Assert.Equal("ErrorInvalidWatermark", Code((await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url, "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA="))).Body));

        host.Exchange.AddFault(new FakeFault(FakeFaultKind.ExceededSubscriptionCount));
        Assert.Equal("ErrorExceededSubscriptionCount", Code((await SubscribeAsync(client, host.EwsUrl, SubscribeBody(url))).Body));
    }

    [Fact]
    public async Task Resubscribe_FromAWatermark_ReplaysWhatTheDroppedSubscriptionMissed()
    {
        await using var listener = await LoopbackListener.StartAsync(static (_, context) => Answers.Ok(context));
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();
        var first = (await SubscribeAsync(client, host.EwsUrl, SubscribeBody(listener.Url))).Body!.Descendants(M + "SubscriptionId").Single().Value;
        await Eventually.TrueAsync(() => listener.Of(first).Count == 1, "the first heartbeat");
        var mailbox = host.Exchange.Mailbox("alice@contoso.com");
        mailbox.AddActivity(2);
        await Eventually.TrueAsync(() => listener.Of(first).Count >= 2, "the first events");
        var resumeFrom = host.Exchange[first]!.LastWatermark;

        host.Exchange[first]!.Drop();
        mailbox.AddActivity(2);

        Assert.Equal(FakeSubscriptionState.Dropped, host.Exchange[first]!.State);
        var second = (await SubscribeAsync(client, host.EwsUrl, SubscribeBody(listener.Url, resumeFrom))).Body!.Descendants(M + "SubscriptionId").Single().Value;
        Assert.NotEqual(first, second);
        await Eventually.TrueAsync(() => listener.Of(second).Count >= 1, "the replay");
        var replay = listener.Of(second)[0].Request!.Messages[0].Notification!;
        Assert.Equal(resumeFrom, replay.PreviousWatermark);
        Assert.False(replay.IsHeartbeat);
        Assert.NotEmpty(replay.Events);
        Assert.Equal(listener.Of(first).Count, host.Exchange[first]!.Pushes);
    }

    [Fact]
    public async Task ErrorPushOnRequest_SendsErrorReadEventsFailedThenEnds()
    {
        await using var listener = await LoopbackListener.StartAsync(static (_, context) => Answers.Ok(context));
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();
        var id = (await SubscribeAsync(client, host.EwsUrl, SubscribeBody(listener.Url))).Body!.Descendants(M + "SubscriptionId").Single().Value;
        await Eventually.TrueAsync(() => listener.Of(id).Count == 1, "the first heartbeat");

        using (var push = await client.PostAsync(new Uri(host.BaseUrl, "/fake/subscriptions/error-push?id=" + Uri.EscapeDataString(id)), null))
        {
            push.EnsureSuccessStatusCode();
        }

        await Eventually.TrueAsync(() => host.Exchange[id]!.State == FakeSubscriptionState.Failed, "the error push");
        var error = listener.Of(id)[^1].Request!.Messages[0];
        Assert.Equal(("ErrorReadEventsFailed", true), (error.ResponseCode, error.IsError));
    }

    [Fact]
    public async Task AnsweredUnsubscribe_EndsTheSubscription()
    {
        await using var listener = await LoopbackListener.StartAsync(static (_, context) => Answers.Unsubscribe(context));
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();

        var id = (await SubscribeAsync(client, host.EwsUrl, SubscribeBody(listener.Url))).Body!.Descendants(M + "SubscriptionId").Single().Value;

        await Eventually.TrueAsync(() => host.Exchange[id]!.State == FakeSubscriptionState.Unsubscribed, "Unsubscribe ends it");
    }

    [Fact]
    public async Task NoListener_TheRetryLadderRunsOut()
    {
        // StatusFrequency 1 minute: a retry at once and after 30 s, then dead; at a time scale of 0.001 that is 30 ms.
        await using var host = await FakeExchangeHost.StartAsync(Options(timeScale: 0.001), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();

        var id = (await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/nobody")))).Body!.Descendants(M + "SubscriptionId").Single().Value;

        await Eventually.TrueAsync(() => host.Exchange[id]!.State == FakeSubscriptionState.Dead, "the ladder runs out");
    }

    [Fact]
    public async Task TokenEndpoint_IssuesBearerTokensTheEwsEndpointTakes()
    {
        await using var host = await FakeExchangeHost.StartAsync(Options(), null, TimeProvider.System, CancellationToken.None);
        using var client = new HttpClient();
        var tokenUrl = new Uri(host.BaseUrl, "/contoso.onmicrosoft.com/oauth2/v2.0/token");

        using var refused = await client.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "app-id", ["client_secret"] = "wrong", ["scope"] = "https://outlook.office365.com/.default" }));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var granted = await client.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "app-id", ["client_secret"] = "app-secret", ["scope"] = "https://outlook.office365.com/.default" }));
        var token = (await granted.Content.ReadFromJsonAsync<Dictionary<string, System.Text.Json.JsonElement>>())!["access_token"].GetString()!;

        var (status, body, _) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/x")), bearer: token);
        Assert.Equal((HttpStatusCode.OK, "NoError"), (status, Code(body)));
        Assert.Equal("Bearer", host.Exchange.Calls[^1].AuthenticationScheme);

        // App-only tokens need ExchangeImpersonation, as in Exchange Online.
        var (_, withoutImpersonation, _) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/x"), impersonate: false), bearer: token);
        Assert.Equal("ErrorInvalidExchangeImpersonationHeaderData", Code(withoutImpersonation));
        var (unknown, _, _) = await SubscribeAsync(client, host.EwsUrl, SubscribeBody(new Uri("http://127.0.0.1:9/x")), bearer: "made-up");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
    }
}
