using PushListener.Ews;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Tests.Subscriptions.Management;

public sealed class KeepAliveRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ManagerOptions Options = new();
    private static readonly ManagedRegistration Alice = new("alice", "alice@contoso.com", 5, null, new ManagedEwsSettings(new Uri("https://ex.contoso.com/EWS/Exchange.asmx"), ["inbox"], false, ["NewMailEvent"], "svc", "Exchange2013_SP1"), "configuration");

    private static ManagedSubscription Active(string id = "S1", string watermark = "W1", DateTimeOffset? at = null) => new()
    {
        Registration = "alice",
        State = ManagedSubscriptionState.Active,
        SubscriptionId = id,
        Watermark = watermark,
        WatermarkAt = at ?? T0,
        SubscribedAt = at ?? T0,
        CallbackToken = new string('t', 43),
        Generation = 1,
    };

    private static SubscriptionRecord Heard(string id, DateTimeOffset lastSeen, string? watermark, SubscriptionState state = SubscriptionState.Active, long gaps = 0) =>
        new(id, state, "alice", T0, lastSeen, watermark, null, "Exchange2013", 300, "registered", 3, gaps, new Dictionary<string, long>(), null, null);

    private static SubscribeResponse Ok(string id = "S2", string watermark = "W9") => new("NoError", id, watermark, null, null, 200);

    [Fact]
    public void Next_NewRegistration_SubscribesFromNow()
    {
        var pending = new ManagedSubscription { Registration = "alice", CallbackToken = "x" };

        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "initial", null), KeepAliveRules.Next(pending, Alice, null, T0, Options, startingUp: false));
    }

    [Fact]
    public void Next_HeardWithinTwiceStatusFrequency_DoesNothing()
    {
        var heard = Heard("S1", T0 + TimeSpan.FromMinutes(4), "W2");

        Assert.Null(KeepAliveRules.Next(Active(), Alice, heard, T0 + TimeSpan.FromMinutes(13), Options, startingUp: false));
    }

    [Fact]
    public void Next_SilentForTwiceStatusFrequency_ResubscribesFromTheLastPushedWatermark()
    {
        var heard = Heard("S1", T0 + TimeSpan.FromMinutes(4), "W2");

        var step = KeepAliveRules.Next(Active(), Alice, heard, T0 + TimeSpan.FromMinutes(14.01), Options, startingUp: false);

        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "silent", "W2"), step);
    }

    [Fact]
    public void Next_NeverHeardSinceSubscribe_IsSilentAfterTwiceStatusFrequency()
    {
        Assert.Null(KeepAliveRules.Next(Active(), Alice, null, T0 + TimeSpan.FromMinutes(10), Options, startingUp: false));
        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "stale", "W1"), KeepAliveRules.Next(Active(), Alice, null, T0 + TimeSpan.FromMinutes(11), Options, startingUp: true));
    }

    [Fact]
    public void Next_ErrorPush_ResubscribesAtOnce()
    {
        var heard = Heard("S1", T0 + TimeSpan.FromMinutes(1), "W2", SubscriptionState.Failed);

        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "failed", "W2"), KeepAliveRules.Next(Active(), Alice, heard, T0 + TimeSpan.FromMinutes(1), Options, startingUp: false));
    }

    [Fact]
    public void Next_GapSinceLastLook_ResumesFromTheWatermarkOfThatLook()
    {
        var looked = Active() with { Watermark = "W5", WatermarkAt = T0 + TimeSpan.FromMinutes(1), GapsSeen = 0 };
        var heard = Heard("S1", T0 + TimeSpan.FromMinutes(2), "W9", gaps: 1);

        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "gap", "W5"), KeepAliveRules.Next(looked, Alice, heard, T0 + TimeSpan.FromMinutes(2), Options, startingUp: false));
    }

    [Fact]
    public void Next_AnsweredUnsubscribe_Stops()
    {
        var heard = Heard("S1", T0, "W2", SubscriptionState.Unsubscribed);

        Assert.Equal(KeepAliveAction.Stop, KeepAliveRules.Next(Active(), Alice, heard, T0, Options, startingUp: false)!.Action);
    }

    [Fact]
    public void Next_WatermarkOlderThanMaxAge_SubscribesFromNow()
    {
        var old = Active(at: T0 - TimeSpan.FromDays(8));

        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "silent", null), KeepAliveRules.Next(old, Alice, null, T0, Options, startingUp: false));
    }

    [Fact]
    public void Next_BackingOff_WaitsUntilItsTime()
    {
        var waiting = Active() with { State = ManagedSubscriptionState.BackingOff, NextAttemptAt = T0 + TimeSpan.FromSeconds(30), RenewReason = "failed", RenewWatermark = "W1" };

        Assert.Null(KeepAliveRules.Next(waiting, Alice, null, T0 + TimeSpan.FromSeconds(29), Options, startingUp: false));
        Assert.Equal(new KeepAliveStep(KeepAliveAction.Subscribe, "failed", "W1"), KeepAliveRules.Next(waiting, Alice, null, T0 + TimeSpan.FromSeconds(30), Options, startingUp: false));
    }

    [Fact]
    public void Next_Stopped_DoesNothingEvenWhenSilent()
    {
        Assert.Null(KeepAliveRules.Next(Active() with { State = ManagedSubscriptionState.Stopped }, Alice, null, T0 + TimeSpan.FromDays(1), Options, startingUp: false));
    }

    [Fact]
    public void After_FirstSuccess_IsSubscribed()
    {
        var pending = new ManagedSubscription { Registration = "alice", CallbackToken = "x" };

        var (state, events, retry) = KeepAliveRules.After(pending, Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "initial", null), Ok("S1", "W1"), T0, Options);

        Assert.False(retry);
        Assert.Equal((ManagedSubscriptionState.Active, "S1", "W1", 1), (state.State, state.SubscriptionId, state.Watermark, state.Generation));
        var e = Assert.Single(events);
        Assert.Equal((LifecycleKind.Subscribed, "S1", "alice", "initial", (string?)null), (e.Kind, e.SubscriptionId, e.Registration, e.Reason, e.PreviousSubscriptionId));
    }

    [Fact]
    public void After_Resubscribe_NamesTheReplacedSubscription()
    {
        var (state, events, _) = KeepAliveRules.After(Active(), Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "silent", "W1"), Ok(), T0, Options);

        Assert.Equal(("S2", 2), (state.SubscriptionId, state.Generation));
        var e = Assert.Single(events);
        Assert.Equal((LifecycleKind.Resubscribed, "S2", "S1", "silent", "W1"), (e.Kind, e.SubscriptionId, e.PreviousSubscriptionId, e.Reason, e.Watermark));
    }

    [Fact]
    public void After_InvalidWatermark_AsksForAFreshSubscribeThenRaisesResyncRequired()
    {
        var refused = new SubscribeResponse("ErrorInvalidWatermark", null, null, "not found", null, 200);
        var (unchanged, none, retry) = KeepAliveRules.After(Active(), Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "silent", "W1"), refused, T0, Options);

        Assert.True(retry);
        Assert.Empty(none);
        Assert.Equal(Active(), unchanged);

        var (_, events, again) = KeepAliveRules.After(Active(), Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "invalidWatermark", null), Ok(), T0, Options);
        Assert.False(again);
        Assert.Equal([LifecycleKind.Resubscribed, LifecycleKind.ResyncRequired], events.Select(e => e.Kind));
    }

    [Fact]
    public void After_ServerBusy_BacksOffAsExchangeSays()
    {
        var busy = new SubscribeResponse("ErrorServerBusy", null, null, "busy", TimeSpan.FromMilliseconds(45_000), 500);

        var (state, events, _) = KeepAliveRules.After(Active(), Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "failed", "W1"), busy, T0, Options);

        Assert.Equal((ManagedSubscriptionState.BackingOff, T0 + TimeSpan.FromSeconds(45), "failed", "W1"), (state.State, state.NextAttemptAt, state.RenewReason, state.RenewWatermark));
        var e = Assert.Single(events);
        Assert.Equal((LifecycleKind.SubscribeFailed, "ErrorServerBusy", (DateTimeOffset?)(T0 + TimeSpan.FromSeconds(45))), (e.Kind, e.ResponseCode, e.RetryAt));
    }

    [Fact]
    public void After_TransientWithoutBackOff_DoublesUpToTheCap()
    {
        var down = SubscribeResponse.Failure("ConnectionFailed", "refused");
        var state = Active();
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            state = KeepAliveRules.After(state, Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "retry", null), down, T0, Options).State;
            waits.Add(state.NextAttemptAt!.Value - T0);
        }

        Assert.Equal([30, 60, 120, 240, 480, 960, 1800, 1800], waits.Select(w => (int)w.TotalSeconds));
    }

    [Fact]
    public void After_PermanentError_StopsWithoutRetry()
    {
        var denied = new SubscribeResponse("ErrorExceededSubscriptionCount", null, null, "too many", null, 200);

        var (state, events, _) = KeepAliveRules.After(Active(), Alice, new KeepAliveStep(KeepAliveAction.Subscribe, "silent", "W1"), denied, T0, Options);

        Assert.Equal(ManagedSubscriptionState.Stopped, state.State);
        Assert.Equal("ErrorExceededSubscriptionCount: too many", state.LastError);
        var e = Assert.Single(events);
        Assert.Equal((LifecycleKind.SubscribeFailed, (DateTimeOffset?)null), (e.Kind, e.RetryAt));
    }

    [Fact]
    public void Observe_TakesTheRegistrysWatermarkAndGapCount()
    {
        var observed = KeepAliveRules.Observe(Active(), Heard("S1", T0 + TimeSpan.FromMinutes(3), "W7", gaps: 2));

        Assert.Equal(("W7", (DateTimeOffset?)(T0 + TimeSpan.FromMinutes(3)), 2L), (observed.Watermark, observed.WatermarkAt, observed.GapsSeen));
    }
}
