using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Pipeline;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Pipeline;

public sealed class NotificationPipelineTests
{
    private static readonly PushMetadata Push = new("d-1", DateTimeOffset.UnixEpoch, "Exchange2013");

    [Fact]
    public async Task Run_HandlersWithOrders_RunLowestFirstThenRegistrationOrder()
    {
        var log = new ConcurrentQueue<string>();
        var pipeline = Build(
            (new RecordingHandler("c") { Log = log }, 10),
            (new RecordingHandler("a") { Log = log }, -5),
            (new RecordingHandler("b1") { Log = log }, 0),
            (new RecordingHandler("b2") { Log = log }, 0));

        await pipeline.RunAsync(Message("all-event-types.xml"), Push, 1, null, CancellationToken.None);

        Assert.Equal(["a", "b1", "b2", "c"], log);
    }

    [Fact]
    public async Task Run_EventKindFilter_HandsHandlerOnlyMatchingEvents()
    {
        var newMail = new RecordingHandler("new-mail", filter: new NotificationFilter { EventKinds = [EventKind.NewMail, EventKind.Created] });
        var everything = new RecordingHandler("all");
        var pipeline = Build((newMail, 0), (everything, 0));
        var message = Message("all-event-types.xml");

        await pipeline.RunAsync(message, Push, 1, null, CancellationToken.None);

        var seen = Assert.Single(newMail.Calls).Notification!.Events;
        Assert.Equal([EventKind.Created, EventKind.NewMail], seen.Select(e => e.Kind));
        Assert.Same(message, Assert.Single(everything.Calls).Message);
    }

    [Fact]
    public async Task Run_FilterSelectingNothing_SkipsHandler()
    {
        var handler = new RecordingHandler("deleted-only", filter: new NotificationFilter { EventKinds = [EventKind.Deleted] });
        var pipeline = Build((handler, 0));

        var outcome = await pipeline.RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Empty(handler.Calls);
        Assert.Equal(HandlerStatus.Filtered, Assert.Single(outcome.Handlers).Status);
    }

    [Theory]
    [InlineData("FgBk*", true)]
    [InlineData("nothing-like-it*", false)]
    public async Task Run_SubscriptionPatternFilter_SelectsBySubscriptionId(string pattern, bool expected)
    {
        var message = Message("exchange-online-created.xml");
        var prefix = message.SubscriptionId![..4];
        var handler = new RecordingHandler("sub", filter: new NotificationFilter { SubscriptionIds = [pattern.Replace("FgBk", prefix, StringComparison.Ordinal)] });

        await Build((handler, 0)).RunAsync(message, Push, 1, null, CancellationToken.None);

        Assert.Equal(expected, !handler.Calls.IsEmpty);
    }

    [Fact]
    public async Task Run_FolderFilter_MatchesParentFolder()
    {
        var message = Message("exchange-online-created.xml");
        var parent = message.Notification!.Events[0].ParentFolderId!.Value.Id;
        var inFolder = new RecordingHandler("in", filter: new NotificationFilter { FolderIds = [parent] });
        var elsewhere = new RecordingHandler("out", filter: new NotificationFilter { FolderIds = ["AAMkSomewhereElse="] });

        await Build((inFolder, 0), (elsewhere, 0)).RunAsync(message, Push, 1, null, CancellationToken.None);

        Assert.Single(inFolder.Calls);
        Assert.Empty(elsewhere.Calls);
    }

    [Fact]
    public async Task Run_ErrorPush_ReachesHandlersUnlessTheyExcludeErrors()
    {
        var wants = new RecordingHandler("wants");
        var excludes = new RecordingHandler("excludes", filter: new NotificationFilter { IncludeErrors = false });

        await Build((wants, 0), (excludes, 0)).RunAsync(Message("error-push.xml"), Push, 1, null, CancellationToken.None);

        Assert.True(Assert.Single(wants.Calls).Message!.IsError);
        Assert.Empty(excludes.Calls);
    }

    [Fact]
    public async Task Run_HandlerStops_LaterHandlersNotReached()
    {
        var first = new RecordingHandler("first", _ => ValueTask.FromResult(HandlerResult.Stop("enough")));
        var second = new RecordingHandler("second");

        var outcome = await Build((first, 0), (second, 1)).RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Empty(second.Calls);
        Assert.Equal([HandlerStatus.Succeeded, HandlerStatus.NotReached], outcome.Handlers.Select(h => h.Status));
        Assert.Equal(SubscriptionStatus.OK, outcome.Status);
    }

    [Fact]
    public async Task Run_HandlerThrows_IsIsolatedAndNeverUnsubscribes()
    {
        var failing = new RecordingHandler("failing", _ => throw new InvalidOperationException("boom"));
        var after = new RecordingHandler("after");

        var outcome = await Build((failing, 0), (after, 1)).RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Single(after.Calls);
        var failed = outcome.Handlers[0];
        Assert.Equal(HandlerStatus.Failed, failed.Status);
        Assert.Contains("boom", failed.Detail, StringComparison.Ordinal);
        Assert.True(outcome.HasFailures);
        Assert.Equal(SubscriptionStatus.OK, outcome.Status);
    }

    [Fact]
    public async Task Run_HandlerIgnoresItsTimeout_IsAbandonedAsTimedOut()
    {
        var never = new TaskCompletionSource<HandlerResult>();
        var stuck = new RecordingHandler("stuck", _ => new ValueTask<HandlerResult>(never.Task));
        var after = new RecordingHandler("after");

        var outcome = await Build((stuck, 0, TimeSpan.FromMilliseconds(50)), (after, 1, TimeSpan.FromSeconds(30))).RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Equal(HandlerStatus.TimedOut, outcome.Handlers[0].Status);
        Assert.Single(after.Calls);
        Assert.Equal(SubscriptionStatus.OK, outcome.Status);
    }

    [Fact]
    public async Task Run_HandlerHonoursCancellationAtTimeout_IsTimedOut()
    {
        var cooperative = new RecordingHandler("cooperative", async c =>
        {
            await Task.Delay(Timeout.Infinite, c.CancellationToken);
            return HandlerResult.Continue;
        });

        var outcome = await Build((cooperative, 0, TimeSpan.FromMilliseconds(50))).RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Equal(HandlerStatus.TimedOut, Assert.Single(outcome.Handlers).Status);
    }

    [Fact]
    public async Task Run_OneUnsubscribeVote_Wins_AndLaterHandlersStillRun()
    {
        var voter = new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("not ours")));
        var after = new RecordingHandler("after");

        var outcome = await Build((voter, 0), (after, 1)).RunAsync(Message("heartbeat.xml"), Push, 1, null, CancellationToken.None);

        Assert.Equal(SubscriptionStatus.Unsubscribe, outcome.Status);
        Assert.Equal("not ours", outcome.UnsubscribeReason);
        Assert.Single(after.Calls);
    }

    [Fact]
    public async Task Run_AlreadyDoneHandlers_AreNotRunAgain()
    {
        var done = new RecordingHandler("done");
        var retry = new RecordingHandler("retry");

        var outcome = await Build((done, 0), (retry, 1)).RunAsync(Message("heartbeat.xml"), Push, 2, new HashSet<string> { "done" }, CancellationToken.None);

        Assert.Empty(done.Calls);
        Assert.Equal(2, Assert.Single(retry.Calls).Attempt);
        Assert.Equal(HandlerStatus.AlreadyDone, outcome.Handlers[0].Status);
    }

    [Fact]
    public async Task Run_Context_CarriesSubscriptionPushAndScopedServices()
    {
        object? scoped = null;
        var handler = new RecordingHandler("ctx", c =>
        {
            scoped = c.Services.GetService<ScopedMarker>();
            return ValueTask.FromResult(HandlerResult.Continue);
        });
        var message = Message("exchange-online-created.xml");

        await Build((handler, 0)).RunAsync(message, Push, 3, null, CancellationToken.None);

        var context = Assert.Single(handler.Calls);
        Assert.Equal(message.SubscriptionId, context.SubscriptionId);
        Assert.Same(Push, context.Push);
        Assert.Equal(3, context.Attempt);
        Assert.NotNull(scoped);
    }

    [Fact]
    public void Build_DuplicateHandlerNames_FailsNamingThem()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build((new RecordingHandler("x"), 0), (new RecordingHandler("x"), 0)));
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
    }

    internal static NotificationMessage Message(string fixture) => SendNotificationReader.Read(Fixture.Bytes(fixture)).Messages[0];

    private static NotificationPipeline Build(params (RecordingHandler Handler, int Order)[] handlers) =>
        Build(handlers.Select(h => (h.Handler, h.Order, TimeSpan.FromSeconds(30))).ToArray());

    private static NotificationPipeline Build(params (RecordingHandler Handler, int Order, TimeSpan Timeout)[] handlers)
    {
        var services = new ServiceCollection().AddLogging().AddScoped<ScopedMarker>();
        foreach (var (handler, order, timeout) in handlers)
        {
            services.AddNotificationHandler(handler, o =>
            {
                o.Name = handler.Name;
                o.Order = order;
                o.Timeout = timeout;
            });
        }

        var provider = services.BuildServiceProvider();
        return new NotificationPipeline(provider.GetServices<HandlerRegistration>(), provider, provider.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, provider.GetRequiredService<ILoggerFactory>());
    }

    private sealed class ScopedMarker;
}
