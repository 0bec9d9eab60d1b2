using System.Diagnostics;
using System.Threading.Channels;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Group commit, the way the listener's inbox writer does it and nothing more: requests queue their bodies on a
/// bounded channel; a dedicated writer thread takes everything waiting (up to <c>MaxBatch</c>), makes the batch
/// durable in one commit, and only then completes each request's task. With several writers (each its own store),
/// they share the one queue: a request that arrives while one writer waits for its flush is taken at once by an idle
/// writer instead of waiting for the next commit, so flushes overlap.
/// </summary>
internal sealed class GroupCommitLog : IAsyncDisposable
{
    // The listener's defaults (PushListener:Inbox:WriteQueueCapacity and MaxBatchSize).
    private const int Capacity = 4096;
    private const int MaxBatch = 512;

    private readonly Channel<PendingWrite> _queue;
    private readonly IReadOnlyList<IBatchCommitter> _committers;
    private readonly Thread[] _threads;
    private long _commits;
    private long _writes;
    private long _busyTicks;

    public GroupCommitLog(IReadOnlyList<IBatchCommitter> committers, string name)
    {
        _committers = committers;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = committers.Count == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _threads = new Thread[committers.Count];
        for (var i = 0; i < _threads.Length; i++)
        {
            var committer = committers[i];
            _threads[i] = new Thread(() => Run(committer)) { IsBackground = true, Name = $"{name} writer {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Commits so far, writes so far, and the writers' time spent committing (microseconds, summed).</summary>
    public (long Commits, long Writes, long BusyMicroseconds) Stats =>
        (Interlocked.Read(ref _commits), Interlocked.Read(ref _writes), Interlocked.Read(ref _busyTicks) * 1_000_000 / Stopwatch.Frequency);

    /// <summary>Queues <paramref name="body"/>; the task completes once it is durable.</summary>
    public async Task AppendAsync(byte[] body, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(body);
        await _queue.Writer.WriteAsync(write, cancellationToken);
        await write.Task.WaitAsync(cancellationToken);
    }

    private void Run(IBatchCommitter committer)
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (WaitForWork())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            if (batch.Count == 0)
            {
                continue; // another writer took it
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                committer.Commit(batch);
                Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - started);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _writes, batch.Count);
                foreach (var write in batch)
                {
                    write.TrySetResult();
                }
            }
#pragma warning disable CA1031 // A failed commit fails every request in it (they answer 500); the writer lives on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var write in batch)
                {
                    write.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    // Each writer owns its thread because the stores' APIs used here are synchronous; blocking it blocks no request.
    private bool WaitForWork()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    public ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var committer in _committers)
        {
            committer.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
