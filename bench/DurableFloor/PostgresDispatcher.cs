using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Issue 13's dispatch at its cheapest: woken after each commit with the ids it inserted (kept in memory, bodies not
/// read back), it claims them in one statement (<c>FOR UPDATE SKIP LOCKED</c>, a lease), runs a null handler, and
/// completes them in one statement, on its own connection with <c>synchronous_commit</c> off (the listener's relaxed
/// claims and completions). No per-subscription exclusivity check: cheaper than what issue 13 requires.
/// </summary>
internal sealed class PostgresDispatcher : IAsyncDisposable
{
    private const int MaxClaim = 1024;

    private const string Claim = """
        UPDATE entries SET lease_owner = $1, lease_expires_at = now() + interval '30 seconds'
        WHERE id IN (SELECT id FROM entries WHERE id = ANY($2) AND state = 0
                     AND (lease_expires_at IS NULL OR lease_expires_at <= now()) FOR UPDATE SKIP LOCKED)
        RETURNING id
        """;

    private const string Complete = "UPDATE entries SET state = 1, lease_owner = NULL, lease_expires_at = NULL WHERE id = ANY($1)";

    private readonly Channel<long[]> _committed = Channel.CreateUnbounded<long[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _claim;
    private readonly NpgsqlParameter<long[]> _claimIds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };
    private readonly NpgsqlCommand _complete;
    private readonly NpgsqlParameter<long[]> _completeIds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };
    private readonly Task _loop;
    private long _claimed;
    private long _completed;

    /// <summary>Opens the dispatcher's connection; call after the appenders have created the schema.</summary>
    public PostgresDispatcher(string connectionString)
    {
        var relaxed = new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=off" };
        _connection = new NpgsqlConnection(relaxed.ConnectionString);
        _connection.Open();
        _claim = new NpgsqlCommand(Claim, _connection);
        _claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"floor-{Environment.ProcessId}", NpgsqlDbType = NpgsqlDbType.Text });
        _claim.Parameters.Add(_claimIds);
        _claim.Prepare();
        _complete = new NpgsqlCommand(Complete, _connection);
        _complete.Parameters.Add(_completeIds);
        _complete.Prepare();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Entries claimed and completed so far.</summary>
    public (long Claimed, long Completed) Stats => (Interlocked.Read(ref _claimed), Interlocked.Read(ref _completed));

    /// <summary>Called by a writer after its commit, with the ids it inserted.</summary>
    public void Committed(long[] ids)
    {
        if (ids.Length > 0)
        {
            _committed.Writer.TryWrite(ids);
        }
    }

    private async Task RunAsync()
    {
        var ids = new List<long>(MaxClaim);
        var claimed = new List<long>(MaxClaim);
        while (await _committed.Reader.WaitToReadAsync())
        {
            while (ids.Count < MaxClaim && _committed.Reader.TryRead(out var committed))
            {
                ids.AddRange(committed);
            }

            try
            {
                _claimIds.TypedValue = [.. ids];
                claimed.Clear();
                await using (var reader = await _claim.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        claimed.Add(reader.GetInt64(0));
                    }
                }

                Interlocked.Add(ref _claimed, claimed.Count);
                // The handler: nothing.
                _completeIds.TypedValue = [.. claimed];
                await _complete.ExecuteNonQueryAsync();
                Interlocked.Add(ref _completed, claimed.Count);
            }
            catch (NpgsqlException ex)
            {
                // The entries stay pending; a bench run reads the shortfall from /floor/stats.
                await Console.Error.WriteLineAsync($"dispatcher: {ex.Message}");
            }

            ids.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _committed.Writer.TryComplete();
        await _loop;
        await _claim.DisposeAsync();
        await _complete.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
