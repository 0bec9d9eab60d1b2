using System.Collections.Concurrent;
using System.Diagnostics;
using PushListener.Telemetry;
using PushListener.Tests.Handlers.Webhook;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Handlers.Webhook.WebhookTestSupport;

namespace PushListener.Tests.Telemetry;

/// <summary>Activities per push, per delivery and per handler, linked; W3C trace context on webhook calls.</summary>
public sealed partial class TracingTests
{
    [Fact]
    public async Task Push_DeliveryLinksToThePush_HandlerRunsInsideTheDelivery()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == PushActivities.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var subscription = PushBuilder.SubscriptionId(Random.Shared.Next(5000, 9999));
        var handler = new RecordingHandler("probe");
        using var factory = new ListenerFactory()
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "probe"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 1)));
        await Eventually.TrueAsync(() => activities.Any(a => a.OperationName == "Deliver" && Equals(a.GetTagItem("pushlistener.subscription.id"), subscription)));

        var push = Assert.Single(activities, a => a.OperationName == "SendNotification" && Equals(a.GetTagItem("pushlistener.subscription.id"), subscription));
        Assert.Equal("ok", push.GetTagItem("pushlistener.outcome"));
        Assert.Equal(["parsed", "committed", "replied"], push.Events.Select(e => e.Name));
        var delivery = Assert.Single(activities, a => a.OperationName == "Deliver" && Equals(a.GetTagItem("pushlistener.subscription.id"), subscription));
        var link = Assert.Single(delivery.Links);
        Assert.Equal(push.Context.TraceId, link.Context.TraceId);
        Assert.Equal(push.Context.SpanId, link.Context.SpanId);
        var run = Assert.Single(activities, a => a.OperationName == "Handler probe" && a.ParentSpanId == delivery.SpanId);
        Assert.Equal(delivery.TraceId, run.TraceId);
    }

    [Fact]
    public async Task WebhookCall_CarriesTheCurrentTraceContext()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var handler = Handler(Settings(receiver.UrlFor("/hook")));
        using var delivery = new Activity("test delivery").SetIdFormat(ActivityIdFormat.W3C).Start();

        await handler.HandleAsync(Context("all-event-types.xml"));
        delivery.Stop();

        var traceparent = Assert.Single(receiver.Requests).Header("traceparent");
        Assert.Matches(TraceParent(), traceparent);
        Assert.Equal(delivery.TraceId.ToHexString(), traceparent.Split('-')[1]);
    }

    [Fact]
    public async Task WebhookCall_WithoutTracing_StillCarriesATraceParent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var handler = Handler(Settings(receiver.UrlFor("/hook")));
        Assert.Null(Activity.Current);

        await handler.HandleAsync(Context("all-event-types.xml"));

        Assert.Matches(TraceParent(), Assert.Single(receiver.Requests).Header("traceparent"));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")]
    private static partial System.Text.RegularExpressions.Regex TraceParent();
}
