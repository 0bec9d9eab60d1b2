using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Handlers.Webhook;
using static PushListener.Tests.Handlers.Webhook.WebhookTestSupport;

namespace PushListener.Tests.Handlers.Webhook;

public sealed class WebhookHandlerTests : IAsyncLifetime
{
    private static readonly string[] TopLevelFields =
    [
        "schema", "type", "deliveryId", "receivedAt", "requestServerVersion", "registration", "subscriptionId", "previousWatermark",
        "moreEvents", "responseClass", "responseCode", "messageText", "descriptiveLinkKey", "messageXml", "events", "lifecycle",
    ];

    private static readonly string[] EventFields =
        ["kind", "watermark", "timeStamp", "objectId", "parentFolderId", "oldObjectId", "oldParentFolderId", "unreadCount", "element", "xml"];

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task HandleAsync_AllEventTypesFixture_BodyHasEverySchemaFieldAndValue()
    {
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));
        var context = Context("all-event-types.xml");

        var result = await handler.HandleAsync(context);

        Assert.Equal(HandlerVerdict.Continue, result.Verdict);
        var request = Assert.Single(_receiver.Requests);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal(TopLevelFields, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pushlistener.notification/v1", root.GetProperty("schema").GetString());
        Assert.Equal("notification", root.GetProperty("type").GetString());
        Assert.Equal(context.Push.DeliveryId, root.GetProperty("deliveryId").GetString());
        Assert.Equal(context.Push.ReceivedAt, root.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal("Exchange2010_SP2", root.GetProperty("requestServerVersion").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("registration").ValueKind);
        var notification = context.Notification!;
        Assert.Equal(notification.SubscriptionId, root.GetProperty("subscriptionId").GetString());
        Assert.Equal(notification.PreviousWatermark, root.GetProperty("previousWatermark").GetString());
        Assert.False(root.GetProperty("moreEvents").GetBoolean());
        Assert.Equal("Success", root.GetProperty("responseClass").GetString());
        Assert.Equal("NoError", root.GetProperty("responseCode").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("messageText").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("descriptiveLinkKey").ValueKind);
        Assert.Empty(root.GetProperty("messageXml").EnumerateObject());

        var events = root.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(
            ["Copied", "Created", "Deleted", "Modified", "Modified", "Moved", "NewMail", "Status", "FreeBusyChanged"],
            events.Select(e => e.GetProperty("kind").GetString()));
        for (var i = 0; i < events.Length; i++)
        {
            var expected = notification.Events[i];
            var actual = events[i];
            Assert.Equal(EventFields, actual.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected.Watermark, actual.GetProperty("watermark").GetString());
            Assert.Equal(expected.TimeStamp, actual.GetProperty("timeStamp") is { ValueKind: JsonValueKind.Null } ? null : actual.GetProperty("timeStamp").GetDateTimeOffset());
            AssertObjectId(expected.ObjectId, actual.GetProperty("objectId"));
            AssertObjectId(expected.ParentFolderId, actual.GetProperty("parentFolderId"));
            AssertObjectId(expected.OldObjectId, actual.GetProperty("oldObjectId"));
            AssertObjectId(expected.OldParentFolderId, actual.GetProperty("oldParentFolderId"));
            Assert.Equal(expected.UnreadCount, actual.GetProperty("unreadCount") is { ValueKind: JsonValueKind.Null } ? null : actual.GetProperty("unreadCount").GetInt32());
        }

        Assert.Equal("item", events[0].GetProperty("objectId").GetProperty("kind").GetString());
        Assert.Equal("folder", events[1].GetProperty("objectId").GetProperty("kind").GetString());
        Assert.Equal(7, events[3].GetProperty("unreadCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, events[7].GetProperty("objectId").ValueKind);
    }

    [Fact]
    public async Task HandleAsync_ErrorPush_BodyHasEverySchemaFieldWithNotificationFieldsNull()
    {
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));

        await handler.HandleAsync(Context("error-push.xml"));

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Requests).Body);
        var root = json.RootElement;
        Assert.Equal(TopLevelFields, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", root.GetProperty("type").GetString());
        Assert.Equal("Error", root.GetProperty("responseClass").GetString());
        Assert.Equal("ErrorReadEventsFailed", root.GetProperty("responseCode").GetString());
        Assert.Equal("Events could not be read for this subscription. Create the subscription again.", root.GetProperty("messageText").GetString());
        Assert.Equal(0, root.GetProperty("descriptiveLinkKey").GetInt32());
        Assert.Equal("JwBCTjhQUjEyTUIzMjE4Lm5hbXByZDEyLnByb2Qub3V0bG9vay5jb20QAAAAZmYu8Hy5DMM24bA+HVXosA==", root.GetProperty("subscriptionId").GetString());
        var messageXml = root.GetProperty("messageXml");
        Assert.Equal(root.GetProperty("subscriptionId").GetString(), messageXml.GetProperty("SubscriptionId").GetString());
        Assert.Equal("AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABpA4wAAAAA=", messageXml.GetProperty("LastWatermark").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("previousWatermark").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("moreEvents").ValueKind);
        Assert.Equal(0, root.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task HandleAsync_AnyNotification_SendsStandardWebhooksHeadersThatVerifyWithTheSecret()
    {
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));
        var context = Context("all-event-types.xml");

        await handler.HandleAsync(context);

        var request = Assert.Single(_receiver.Requests);
        var id = request.Header("webhook-id");
        var timestamp = request.Header("webhook-timestamp");
        Assert.Equal(context.Push.DeliveryId, id);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), timestamp);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal(ExpectedSignature(id, timestamp, request.Body), request.Header("webhook-signature"));
    }

    [Fact]
    public async Task HandleAsync_TargetAnswers500Twice_RetriesWithSameIdAndBodyThenSucceeds()
    {
        _receiver.Script("/hook", Reply.Times(2, 500));
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));

        var result = await handler.HandleAsync(Context("all-event-types.xml"));

        Assert.Equal(HandlerVerdict.Continue, result.Verdict);
        var requests = _receiver.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Single(requests.Select(r => r.Header("webhook-id")).Distinct());
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));
        Assert.All(requests, r => Assert.Equal(ExpectedSignature(r.Header("webhook-id"), r.Header("webhook-timestamp"), r.Body), r.Header("webhook-signature")));
    }

    [Fact]
    public async Task HandleAsync_TargetKeepsAnswering500_GivesUpAfterMaxAttemptsAndThrows()
    {
        _receiver.AlwaysAnswer("/hook", 500);
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml")).AsTask());

        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Contains("HTTP 500 after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains(_receiver.UrlFor("/hook").ToString(), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, 1)]
    [InlineData(401, 1)]
    [InlineData(404, 1)]
    [InlineData(410, 1)]
    [InlineData(408, 3)]
    [InlineData(429, 3)]
    [InlineData(502, 3)]
    [InlineData(503, 3)]
    public async Task HandleAsync_FailureStatus_RetriedOnlyWhenTransient(int status, int expectedRequests)
    {
        _receiver.AlwaysAnswer("/hook", status);
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));

        await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml")).AsTask());

        Assert.Equal(expectedRequests, _receiver.Requests.Count);
    }

    [Fact]
    public async Task HandleAsync_TargetAnswers400_IsNotRetriedAndThrows()
    {
        _receiver.Script("/hook", new Reply(400));
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml")).AsTask());

        Assert.Single(_receiver.Requests);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_SeveralUrls_AllReceiveTheSameSignedBody()
    {
        using var handler = Handler(Settings(_receiver.UrlFor("/a"), _receiver.UrlFor("/b"), _receiver.UrlFor("/c?token=x")));

        await handler.HandleAsync(Context("all-event-types.xml"));

        var requests = _receiver.Requests;
        Assert.Equal(["/a", "/b", "/c"], requests.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));
        Assert.All(requests, r => Assert.Equal(ExpectedSignature(r.Header("webhook-id"), r.Header("webhook-timestamp"), r.Body), r.Header("webhook-signature")));
    }

    [Fact]
    public async Task HandleAsync_OneOfTwoTargetsFails_OtherStillReceivesAndHandlerThrowsNamingOnlyTheFailedOne()
    {
        _receiver.AlwaysAnswer("/bad", 503);
        using var handler = Handler(Settings(_receiver.UrlFor("/good"), _receiver.UrlFor("/bad?secret-token=abc")));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml")).AsTask());

        Assert.Single(_receiver.RequestsTo("/good"));
        Assert.Equal(3, _receiver.RequestsTo("/bad").Count);
        Assert.Contains("1 of 2 target(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("/bad: HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/good", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_TargetSlowerThanRequestTimeout_AttemptTimesOutAndIsRetried()
    {
        _receiver.Script("/hook", new Reply(200, TimeSpan.FromSeconds(5)));
        var settings = Settings(_receiver.UrlFor("/hook"));
        settings.RequestTimeout = TimeSpan.FromMilliseconds(300);
        using var handler = Handler(settings);

        var result = await handler.HandleAsync(Context("all-event-types.xml"));

        Assert.Equal(HandlerVerdict.Continue, result.Verdict);
        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task HandleAsync_ConnectionRefused_IsRetriedThenThrows()
    {
        var closed = ClosedPortUrl();
        var logger = new RecordingLogger();
        using var handler = Handler(Settings(closed));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml", logger)).AsTask());

        Assert.Contains("after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, logger.Entries.Count(e => e.EventId == 300));
    }

    [Fact]
    public async Task HandleAsync_TargetKeepsFailing_LogsOneErrorPerStreakAndThenRecovery()
    {
        _receiver.AlwaysAnswer("/hook", 500);
        var settings = Settings(_receiver.UrlFor("/hook?key=hidden"));
        settings.MaxAttempts = 1;
        settings.FailureLogThreshold = 2;
        var logger = new RecordingLogger();
        using var handler = Handler(settings);

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => handler.HandleAsync(Context("all-event-types.xml", logger)).AsTask());
        }

        var failing = Assert.Single(logger.Entries, e => e.EventId == 301);
        Assert.Equal(LogLevel.Error, failing.Level);
        Assert.Contains(_receiver.UrlFor("/hook").ToString(), failing.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", failing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", failing.Message, StringComparison.Ordinal);

        _receiver.AlwaysAnswer("/hook", 204);
        await handler.HandleAsync(Context("all-event-types.xml", logger));

        var recovered = Assert.Single(logger.Entries, e => e.EventId == 302);
        Assert.Contains("after 4 failed deliveries", recovered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_CallerCancels_ThrowsOperationCanceledWithoutRetrying()
    {
        _receiver.Script("/hook", new Reply(200, TimeSpan.FromSeconds(5)));
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handler.HandleAsync(Context("all-event-types.xml", cancellationToken: cts.Token)).AsTask());

        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task HandleAsync_WithRegisteredHttpClientFactory_DeliversThroughTheNamedClient()
    {
        await using var services = new ServiceCollection().AddWebhookHttpClient().BuildServiceProvider();
        using var handler = Handler(Settings(_receiver.UrlFor("/hook")), services.GetRequiredService<IHttpClientFactory>());

        await handler.HandleAsync(Context("all-event-types.xml"));

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(ExpectedSignature(request.Header("webhook-id"), request.Header("webhook-timestamp"), request.Body), request.Header("webhook-signature"));
    }

    [Fact]
    public void Sign_StandardWebhooksReferenceVector_MatchesPublishedSignature()
    {
        // The test vector of the Standard Webhooks reference libraries.
        var signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = signer.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"u8);

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    private static void AssertObjectId(ObjectId? expected, JsonElement actual)
    {
        if (expected is not { } id)
        {
            Assert.Equal(JsonValueKind.Null, actual.ValueKind);
            return;
        }

        Assert.Equal(["kind", "id", "changeKey"], actual.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id.Kind == ObjectIdKind.Folder ? "folder" : "item", actual.GetProperty("kind").GetString());
        Assert.Equal(id.Id, actual.GetProperty("id").GetString());
        Assert.Equal(id.ChangeKey, actual.GetProperty("changeKey").GetString());
    }

    private static Uri ClosedPortUrl()
    {
        // Bind and release a port: nothing listens on it afterwards, so connecting is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/hook");
    }
}
