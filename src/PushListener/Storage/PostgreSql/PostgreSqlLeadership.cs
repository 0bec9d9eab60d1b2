using Microsoft.Extensions.Options;
using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Leadership among the instances on one database: the instance whose dedicated session holds a session-level advisory
/// lock leads. Others try to take the lock every <see cref="PostgreSqlStorageOptions.ConnectionCheckInterval"/>; the
/// leader checks its session as often. When the leader stops or dies its session ends, the server releases the lock,
/// and another instance takes it at its next try. A leader that loses its session steps down at once (cancelling the
/// token its work runs with), before the server can give the lock to anyone else.
/// </summary>
internal sealed partial class PostgreSqlLeadership(PostgreSqlDatabase database, IOptions<StorageOptions> options, TimeProvider time, ILogger<PostgreSqlLeadership> logger)
    : BackgroundService, ILeadership
{
    private const string LockKey = "hashtextextended('pushlistener:leader:' || current_schema(), 0)";

    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;

    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _term is not null;
            }
        }
    }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> leading;
        lock (_gate)
        {
            leading = _leading.Task;
        }

        return leading.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PostgreSql.ConnectionCheckInterval;
        var failing = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var connection = await database.OpenDedicatedAsync(stoppingToken).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        failing = false;
                        await HoldOrTryAsync(connection, interval, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    if (StepDown())
                    {
                        LostLeadership(logger, database.Target, ex);
                    }
                    else if (!failing)
                    {
                        SessionFailed(logger, database.Target, ex);
                    }

                    failing = true;
                }

                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Closing the session released the lock; the next instance takes it at its next try.
            if (StepDown())
            {
                SteppedDown(logger);
            }
        }
    }

    private async Task HoldOrTryAsync(NpgsqlConnection connection, TimeSpan interval, CancellationToken stoppingToken)
    {
        await using var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
        await using var check = new NpgsqlCommand("SELECT 1", connection);
        while (true)
        {
            if (!IsLeader)
            {
                if ((bool)(await tryLock.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false))!)
                {
                    TakeOver();
                    BecameLeader(logger, database.Target);
                }
            }
            else
            {
                // The lock lives as long as this session: a working session means the lock is still held.
                await check.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
            }

            await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
        }
    }

    private void TakeOver()
    {
        lock (_gate)
        {
            _term = new CancellationTokenSource();
            _leading.TrySetResult(_term.Token);
        }
    }

    private bool StepDown()
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            if (term is null)
            {
                return false;
            }

            _term = null;
            _leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        term.Cancel();
        term.Dispose();
        return true;
    }

    public override void Dispose()
    {
        StepDown();
        base.Dispose();
    }

    [LoggerMessage(920, LogLevel.Information, "This instance now leads the instances on {Target}: it runs the watchdog and retention")]
    private static partial void BecameLeader(ILogger logger, string target);

    [LoggerMessage(921, LogLevel.Warning, "Lost the leadership session to {Target}; another instance takes over. Trying to reconnect")]
    private static partial void LostLeadership(ILogger logger, string target, Exception exception);

    [LoggerMessage(922, LogLevel.Warning, "Cannot open the leadership session to {Target}; trying again")]
    private static partial void SessionFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(923, LogLevel.Information, "Stepped down as leader (stopping)")]
    private static partial void SteppedDown(ILogger logger);
}
