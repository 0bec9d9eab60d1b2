using System.Diagnostics;
using System.Threading.Channels;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Group commit, the way the listener's inbox writer does it and nothing more: requests queue their bodies on a
/// bounded channel; one dedicated thread takes everything waiting (up to <c>MaxBatch</c>), makes the batch durable in
/// one commit and only then completes each request's task. Subclasses say what a commit is.
/// </summary>
internal abstract class GroupCommitLog : IAsyncDisposable
{
    // The listener's defaults (PushListener:Inbox:WriteQueueCapacity and MaxBatchSize).
    private const int Capacity = 4096;
    private const int MaxBatch = 512;

    private readonly Channel<PendingWrite> _queue =
        Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private long _commits;
    private long _writes;
    private long _busyTicks;

    /// <summary>Starts the writer thread; call once the store is open.</summary>
    protected void Start(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Commits so far, writes so far, and the writer's time spent committing (microseconds).</summary>
    public (long Commits, long Writes, long BusyMicroseconds) Stats =>
        (Interlocked.Read(ref _commits), Interlocked.Read(ref _writes), Interlocked.Read(ref _busyTicks) * 1_000_000 / Stopwatch.Frequency);

    /// <summary>Queues <paramref name="body"/>; the task completes once it is durable.</summary>
    public async Task AppendAsync(byte[] body, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(body);
        await _queue.Writer.WriteAsync(write, cancellationToken);
        await write.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Makes every body of <paramref name="batch"/> durable, or throws.</summary>
    protected abstract void Commit(List<PendingWrite> batch);

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        try
        {
            while (WaitForWork())
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    Commit(batch);
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
        finally
        {
            _stopped.TrySetResult();
        }
    }

    // The writer owns its thread because the stores' APIs used here are synchronous; blocking it blocks no request.
    private bool WaitForWork()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    public virtual async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_thread is not null)
        {
            await _stopped.Task;
        }

        GC.SuppressFinalize(this);
    }
}
