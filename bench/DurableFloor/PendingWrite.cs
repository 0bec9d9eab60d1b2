namespace PushListener.Bench.DurableFloor;

/// <summary>
/// One request's body waiting for the group commit that makes it durable; the task completes after that commit.
/// </summary>
internal sealed class PendingWrite(byte[] body) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public byte[] Body { get; } = body;
}
