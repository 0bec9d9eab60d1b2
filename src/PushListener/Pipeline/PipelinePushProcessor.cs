using System.Globalization;
using PushListener.Endpoint;

namespace PushListener.Pipeline;

/// <summary>
/// Runs the pipeline inline for each message of a push and answers <c>Unsubscribe</c> when any handler voted so for
/// any of them. Used when the durable inbox is turned off.
/// </summary>
internal sealed class PipelinePushProcessor(NotificationPipeline pipeline) : IPushProcessor
{
    public async ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken)
    {
        var status = SubscriptionStatus.OK;
        var messages = push.Request.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var metadata = new PushMetadata(push.RequestId + "/" + i.ToString(CultureInfo.InvariantCulture), push.ReceivedAt, push.Request.RequestServerVersion);
            var outcome = await pipeline.RunAsync(messages[i], metadata, attempt: 1, alreadyDone: null, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == SubscriptionStatus.Unsubscribe)
            {
                status = SubscriptionStatus.Unsubscribe;
            }
        }

        return status;
    }
}
