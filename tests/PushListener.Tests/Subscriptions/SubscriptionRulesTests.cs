using PushListener.Subscriptions;

namespace PushListener.Tests.Subscriptions;

/// <summary>The subscription state machine, without a database.</summary>
public sealed class SubscriptionRulesTests
{
    private const string Sub = "sub-1";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OnPush_NewSubscription_IsActiveWithNoEvents()
    {
        var decision = SubscriptionRules.OnPush(Sub, null, Push("w0", "w1"), Now);

        Assert.Equal(SubscriptionState.Active, decision.State);
        Assert.Empty(decision.Events);
        Assert.False(decision.Gap);
        Assert.False(decision.Unsubscribe);
    }

    [Fact]
    public void OnPush_ChainContinues_NoGap()
    {
        var decision = SubscriptionRules.OnPush(Sub, Snapshot(SubscriptionState.Active, lastWatermark: "w1"), Push("w1", "w2"), Now);

        Assert.False(decision.Gap);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void OnPush_PreviousWatermarkNotTheLastStored_IsAGap()
    {
        var decision = SubscriptionRules.OnPush(Sub, Snapshot(SubscriptionState.Active, lastWatermark: "w1"), Push("w7", "w8"), Now);

        Assert.True(decision.Gap);
        var gap = Assert.Single(decision.Events);
        Assert.Equal((LifecycleKind.GapDetected, "w1", "w7"), (gap.Kind, gap.LastStoredWatermark, gap.ReceivedPreviousWatermark));
    }

    [Fact]
    public void OnPush_SilentSubscriptionHeardAgain_ResumesBeforeAnyGap()
    {
        var lastSeen = Now - TimeSpan.FromHours(1);
        var decision = SubscriptionRules.OnPush(Sub, Snapshot(SubscriptionState.Silent, lastWatermark: "w1", lastSeen: lastSeen), Push("w5", "w6"), Now);

        Assert.Equal(SubscriptionState.Active, decision.State);
        Assert.Equal([LifecycleKind.Resumed, LifecycleKind.GapDetected], decision.Events.Select(e => e.Kind));
        Assert.Equal(lastSeen, decision.Events[0].LastSeen);
    }

    [Fact]
    public void OnPush_ErrorPush_FailsTheSubscription()
    {
        var error = new RegistryUpdate(null, null, new int[8], false, IsError: true, "ErrorSubscriptionNotFound", "gone", null, null);

        var decision = SubscriptionRules.OnPush(Sub, Snapshot(SubscriptionState.Active), error, Now);

        Assert.Equal(SubscriptionState.Failed, decision.State);
        var failed = Assert.Single(decision.Events);
        Assert.Equal((LifecycleKind.Failed, "ErrorSubscriptionNotFound", "gone"), (failed.Kind, failed.ResponseCode, failed.MessageText));
    }

    [Theory]
    [InlineData(SubscriptionState.Unsubscribing)]
    [InlineData(SubscriptionState.Unsubscribed)]
    public void OnPush_MarkedOrEnded_IsAnsweredUnsubscribeAndRecordedUnsubscribed(SubscriptionState state)
    {
        var decision = SubscriptionRules.OnPush(Sub, Snapshot(state), Push("w1", "w2"), Now);

        Assert.True(decision.Unsubscribe);
        Assert.Equal(SubscriptionState.Unsubscribed, decision.State);
    }

    [Fact]
    public void OnPush_TwoHeartbeatsInARow_LearnTheInterval()
    {
        var snapshot = Snapshot(SubscriptionState.Active, lastSeen: Now - TimeSpan.FromMinutes(5), lastPushWasHeartbeat: true);

        var decision = SubscriptionRules.OnPush(Sub, snapshot, Heartbeat(), Now);

        Assert.Equal((TimeSpan.FromMinutes(5), SubscriptionRules.Learned), (decision.ExpectedInterval, decision.IntervalSource));
    }

    [Fact]
    public void OnPush_RegisteredInterval_IsNeverReplacedByALearnedOne()
    {
        var snapshot = Snapshot(SubscriptionState.Active, lastSeen: Now - TimeSpan.FromMinutes(5), lastPushWasHeartbeat: true, interval: TimeSpan.FromMinutes(15), source: SubscriptionRules.Registered);

        var decision = SubscriptionRules.OnPush(Sub, snapshot, Heartbeat(), Now);

        Assert.Null(decision.ExpectedInterval);
        Assert.Null(decision.IntervalSource);
    }

    [Fact]
    public void OnPush_KeepsTheKnownRegistrationWhenThePushNamesNone()
    {
        var decision = SubscriptionRules.OnPush(Sub, Snapshot(SubscriptionState.Active, registration: "sales"), Push("w1", "w2"), Now);

        Assert.Equal("sales", decision.Registration);
    }

    [Fact]
    public void OnSilenceCheck_WithinTwiceTheInterval_IsQuiet_AfterIt_Silent()
    {
        var snapshot = Snapshot(SubscriptionState.Active, lastSeen: Now, interval: TimeSpan.FromMinutes(1), source: SubscriptionRules.Registered);

        Assert.Null(SubscriptionRules.OnSilenceCheck(Sub, snapshot, Now + TimeSpan.FromMinutes(2)));
        var silent = SubscriptionRules.OnSilenceCheck(Sub, snapshot, Now + TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.NotNull(silent);
        Assert.Equal((LifecycleKind.Silent, Now, TimeSpan.FromMinutes(1)), (silent.Kind, silent.LastSeen, silent.ExpectedInterval));
    }

    [Theory]
    [InlineData(SubscriptionState.Silent)]
    [InlineData(SubscriptionState.Failed)]
    [InlineData(SubscriptionState.Unsubscribed)]
    public void OnSilenceCheck_NotActive_IsQuiet(SubscriptionState state)
    {
        var snapshot = Snapshot(state, lastSeen: Now - TimeSpan.FromDays(1), interval: TimeSpan.FromMinutes(1), source: SubscriptionRules.Registered);

        Assert.Null(SubscriptionRules.OnSilenceCheck(Sub, snapshot, Now));
    }

    [Fact]
    public void OnSilenceCheck_NoKnownInterval_IsQuiet()
    {
        Assert.Null(SubscriptionRules.OnSilenceCheck(Sub, Snapshot(SubscriptionState.Active, lastSeen: Now - TimeSpan.FromDays(30)), Now));
    }

    private static RegistryUpdate Push(string previous, string last) =>
        new(previous, last, [0, 0, 0, 0, 0, 1, 0, 0], false, false, "NoError", null, null, null);

    private static RegistryUpdate Heartbeat() =>
        new("w1", "w1", [0, 0, 0, 0, 0, 0, 1, 0], IsHeartbeat: true, false, "NoError", null, null, null);

    private static SubscriptionSnapshot Snapshot(SubscriptionState state, string? lastWatermark = null, DateTimeOffset? lastSeen = null, bool lastPushWasHeartbeat = false, string? registration = null, TimeSpan? interval = null, string? source = null) =>
        new(state, lastWatermark, lastSeen ?? Now - TimeSpan.FromMinutes(1), lastPushWasHeartbeat, registration, interval, source);
}
