using Microsoft.Extensions.Options;
using Npgsql;
using PushListener.Coordination;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Leadership among the instances on one database, per job: the instance whose session holds the job's session-level
/// advisory lock leads it. Each lease is a dedicated session; disposing the lease (or the instance dying) ends the
/// session, the server releases the lock, and the next instance to try takes it. A lease checks its session every
/// <see cref="PostgreSqlStorageOptions.ConnectionCheckInterval"/> and cancels <see cref="ILeaderLease.Lost"/> as soon
/// as the session fails, so the old leader stops before the server can hand the lock to another instance.
/// </summary>
internal sealed partial class PostgreSqlLeaderElection(PostgreSqlDatabase database, IOptions<PostgreSqlStorageOptions> options, TimeProvider time, ILogger<PostgreSqlLeaderElection> logger) : ILeaderElection
{
    // Per schema as well as per job: deployments kept apart by search_path in one database elect separately.
    private const string LockKey = "hashtextextended('pushlistener:leader:' || current_schema() || ':' || $1, 0)";

    public async ValueTask<ILeaderLease?> TryAcquireAsync(string job, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        var connection = await database.OpenDedicatedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection) { Parameters = { new() { Value = job } } };
            if (!(bool)(await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                return null;
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Acquired(logger, job, database.Target);
        return new Lease(job, connection, options.Value.ConnectionCheckInterval, time, failure => Lost(logger, job, database.Target, failure));
    }

    [LoggerMessage(920, LogLevel.Debug, "This instance leads {Job} on {Target}")]
    private static partial void Acquired(ILogger logger, string job, string target);

    [LoggerMessage(921, LogLevel.Warning, "Lost the lead of {Job}: its session to {Target} failed; another instance takes over")]
    private static partial void Lost(ILogger logger, string job, string target, Exception exception);

    private sealed class Lease : ILeaderLease
    {
        private readonly NpgsqlConnection _connection;
        private readonly TimeSpan _interval;
        private readonly TimeProvider _time;
        private readonly Action<Exception> _onLost;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _disposing = new();
        private readonly Task _watch;

        public Lease(string job, NpgsqlConnection connection, TimeSpan interval, TimeProvider time, Action<Exception> onLost)
        {
            _connection = connection;
            _interval = interval;
            _time = time;
            _onLost = onLost;
            Job = job;
            Lost = _lost.Token;
            _watch = WatchAsync();
        }

        public string Job { get; }

        public CancellationToken Lost { get; }

        public async ValueTask DisposeAsync()
        {
            await _disposing.CancelAsync().ConfigureAwait(false);
            await _watch.ConfigureAwait(false);

            // Released before the session ends: the server releases a closed session's locks only when its backend has
            // exited, after the close returns, so another instance asking at once would still find the lock taken.
            if (!_lost.IsCancellationRequested)
            {
                try
                {
                    await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", _connection) { Parameters = { new() { Value = Job } } };
                    await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex))
                {
                    // The session is gone: the server releases the lock with it.
                }
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
            await _lost.CancelAsync().ConfigureAwait(false);
            _lost.Dispose();
            _disposing.Dispose();
        }

        private async Task WatchAsync()
        {
            try
            {
                await using var check = new NpgsqlCommand("SELECT 1", _connection);
                while (true)
                {
                    await Task.Delay(_interval, _time, _disposing.Token).ConfigureAwait(false);

                    // The lock lives as long as this session: a working session means the lock is still held.
                    await check.ExecuteScalarAsync(_disposing.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _onLost(ex);
                await _lost.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
