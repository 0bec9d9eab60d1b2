namespace PushListener.Endpoint;

/// <summary>
/// What the endpoint hands a parsed push to; its answer is what Exchange hears. Throwing means the push was not taken:
/// the endpoint answers with a SOAP fault (HTTP 500) and Exchange retries.
/// </summary>
internal interface IPushProcessor
{
    ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken);
}
