using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// The single writer of the SQLite inbox. Every write (appends from concurrent requests, delivery state from the
/// dispatcher, admin operations) queues here; the writer takes everything waiting, up to a batch size, runs it in one
/// transaction and commits once, so one fsync serves a whole batch. Each caller's task completes only after the commit
/// that carries its write. A write that fails alone (a constraint, a bad value) fails alone: the batch is rolled back
/// and run again with each write in its own savepoint, so a write's work may run twice and must change nothing but the
/// database (and its own result). A failed commit fails every write in it.
/// </summary>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    private readonly Channel<WriteOperation> _queue;
    private readonly SqliteConnection _connection;
    private readonly int _maxBatch;
    private readonly Telemetry.PushListenerMetrics? _metrics;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _transactions;
    private long _writes;

    public GroupCommitWriter(SqliteConnection connection, int capacity, int maxBatch, Telemetry.PushListenerMetrics? metrics = null)
    {
        _metrics = metrics;
        _connection = connection;
        _maxBatch = maxBatch;
        // Bounded: when the disk cannot keep up, requests wait here (replies slow down) instead of memory growing.
        _queue = Channel.CreateBounded<WriteOperation>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _thread = new Thread(Run) { IsBackground = true, Name = "PushListener inbox writer" };
        _thread.Start();
    }

    /// <summary>Transactions committed so far.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Queues <paramref name="work"/>; the task completes after its transaction commits.</summary>
    public ValueTask<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) =>
        WriteAsync(work, null, cancellationToken);

    /// <summary>
    /// As <see cref="WriteAsync{T}(Func{SqliteConnection, T}, CancellationToken)"/>, and runs <paramref name="committed"/>
    /// with the result on the writer's thread right after the commit, in commit order (before any caller resumes).
    /// </summary>
    public async ValueTask<T> WriteAsync<T>(Func<SqliteConnection, T> work, Action<T>? committed, CancellationToken cancellationToken)
    {
        var operation = new WriteOperation<T>(work, committed);
        try
        {
            await _queue.Writer.WriteAsync(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException("The inbox is shutting down and takes no more writes.", ex);
        }

        // Once queued, the write happens whether or not this caller still waits: cancellation only stops the wait.
        return await operation.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<WriteOperation>(_maxBatch);
        WriterStatements.Attach(_connection);
        try
        {
            while (WaitForWork())
            {
                while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var operation))
                {
                    batch.Add(operation);
                }

                CommitBatch(batch);
                batch.Clear();
            }
        }
        finally
        {
            WriterStatements.Detach();
            _stopped.TrySetResult();
        }
    }

    // The writer owns a dedicated thread because SQLite's API is synchronous; blocking here blocks no request.
    private bool WaitForWork()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void CommitBatch(List<WriteOperation> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Savepoints copy every page a write touches into a sub-journal, a cost paid for the rare write that fails.
            // So the batch first runs without them; if a write fails, the batch is undone and run again write by write.
            if (!TryCommit(batch, isolated: false))
            {
                TryCommit(batch, isolated: true);
            }

            Interlocked.Increment(ref _transactions);
            Interlocked.Add(ref _writes, batch.Count);
            _metrics?.WriterCommitted(batch.Count, Stopwatch.GetElapsedTime(started));
            foreach (var operation in batch)
            {
                operation.Complete();
            }
        }
#pragma warning disable CA1031 // The commit failed (disk full, I/O error): every write in it fails, and the writer lives on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var operation in batch)
            {
                operation.Fail(ex);
            }
        }
    }

    // False when a write failed on its own in a batch run without isolation (the transaction is then rolled back).
    private bool TryCommit(List<WriteOperation> batch, bool isolated)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        WriterStatements.Enlist(transaction);
        try
        {
            foreach (var operation in batch)
            {
                if (isolated)
                {
                    ExecuteIsolated(operation);
                    continue;
                }

                try
                {
                    operation.Execute(_connection);
                }
                catch (SqliteException ex) when (FailsAlone(ex))
                {
                    transaction.Rollback();
                    return false;
                }
            }

            transaction.Commit();
            return true;
        }
        finally
        {
            WriterStatements.Enlist(null);
        }
    }

    private void ExecuteIsolated(WriteOperation operation)
    {
        _connection.Statement("SAVEPOINT w").ExecuteNonQuery();
        try
        {
            operation.Execute(_connection);
            _connection.Statement("RELEASE w").ExecuteNonQuery();
        }
        catch (SqliteException ex) when (FailsAlone(ex))
        {
            // An error of this write alone: undo it, keep the rest of the batch.
            _connection.Statement("ROLLBACK TO w").ExecuteNonQuery();
            _connection.Statement("RELEASE w").ExecuteNonQuery();
            operation.MarkFailed(ex);
        }
    }

    // Disk full, I/O errors and corruption are the database's, not one write's: they fail the whole batch.
    private static bool FailsAlone(SqliteException ex) => ex.SqliteErrorCode is not (13 or 10 or 11 or 26);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }

    private abstract class WriteOperation
    {
        private Exception? _error;

        public abstract void Execute(SqliteConnection connection);

        public void MarkFailed(Exception error) => _error = error;

        public void Complete()
        {
            if (_error is null)
            {
                Succeed();
            }
            else
            {
                Fail(_error);
            }
        }

        public abstract void Fail(Exception error);

        protected abstract void Succeed();
    }

    private sealed class WriteOperation<T>(Func<SqliteConnection, T> work, Action<T>? committed) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Execute(SqliteConnection connection) => _result = work(connection);

        public override void Fail(Exception error) => _completion.TrySetException(error);

        protected override void Succeed()
        {
            committed?.Invoke(_result!);
            _completion.TrySetResult(_result!);
        }
    }
}
