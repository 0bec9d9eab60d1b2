namespace PushListener.Endpoint;

/// <summary>The processor used until a pipeline is configured: takes every push and answers OK.</summary>
internal sealed class AcceptingPushProcessor : IPushProcessor
{
    public ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SubscriptionStatus.OK);
}
