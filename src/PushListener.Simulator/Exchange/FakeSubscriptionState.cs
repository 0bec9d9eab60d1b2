namespace PushListener.Simulator.Exchange;

/// <summary>Where a fake subscription is in its life.</summary>
internal enum FakeSubscriptionState
{
    /// <summary>Pushing.</summary>
    Active,

    /// <summary>Dropped silently on request (as after a server restart): no push, no error, nothing.</summary>
    Dropped,

    /// <summary>Ended with an error push (ErrorReadEventsFailed) on request.</summary>
    Failed,

    /// <summary>The listener answered Unsubscribe.</summary>
    Unsubscribed,

    /// <summary>The retry ladder ran out: the listener did not take a push within StatusFrequency.</summary>
    Dead,

    /// <summary>The fake Exchange stopped.</summary>
    Stopped,
}
