namespace PushListener.Bench.DurableFloor;

/// <summary>One writer's store: makes a batch of bodies durable in one commit, or throws. Used by one thread only.</summary>
internal interface IBatchCommitter : IDisposable
{
    void Commit(List<PendingWrite> batch);
}
