using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using PushListener.Inbox;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// The entry log in the shared database. Appends go through one group-commit writer per instance (each transaction
/// takes every push waiting, up to <see cref="InboxOptions.MaxBatchSize"/> messages, see <see cref="PostgreSqlPushAppender"/>).
/// Claims take, in one statement, the first pending entry of each subscription that has no entry under a live lease
/// (<c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers on any instance pass each other by) together with the
/// subscription's following entries, and lease them all: one subscription's entries are never on two instances at once.
/// <para>
/// That search visits every subscription with a pending entry, so a claim first tries the entries this instance
/// appended (kept in memory with their bodies, see <see cref="ClaimAppendedSql"/>): the same rules, checked for those
/// ids only, and nothing to read back. The search of the whole log runs when <see cref="PostgreSqlClaimSignal"/> says
/// there may be other work (another instance's signal, a replay, released leases), and at least every
/// <see cref="SearchInterval"/> (leases that ran out).
/// </para>
/// </summary>
internal sealed partial class PostgreSqlEntryLog : IEntryLog, IAsyncDisposable
{
    private const string ClaimSql = """
        WITH RECURSIVE subs(s) AS (
            (SELECT subscription_id FROM entries WHERE state = 0 AND subscription_id IS NOT NULL ORDER BY subscription_id LIMIT 1)
            UNION ALL
            SELECT (SELECT e.subscription_id FROM entries e WHERE e.state = 0 AND e.subscription_id > subs.s ORDER BY e.subscription_id LIMIT 1)
            FROM subs WHERE subs.s IS NOT NULL
        ),
        candidates AS (
            SELECT (SELECT e.id FROM entries e WHERE e.state = 0 AND e.subscription_id = subs.s ORDER BY e.id LIMIT 1) AS id
            FROM subs WHERE subs.s IS NOT NULL
            UNION ALL
            (SELECT e.id FROM entries e WHERE e.state = 0 AND e.subscription_id IS NULL AND (e.lease_expires_at IS NULL OR e.lease_expires_at <= $1) ORDER BY e.id LIMIT $3)
        ),
        heads AS (
            SELECT h.id, h.subscription_id FROM entries h
            WHERE h.id IN (SELECT id FROM candidates) AND h.state = 0
              AND (h.lease_expires_at IS NULL OR h.lease_expires_at <= $1)
              AND (h.subscription_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM entries l WHERE l.state = 0 AND l.subscription_id = h.subscription_id AND l.lease_owner IS NOT NULL AND l.lease_expires_at > $1))
            ORDER BY h.id LIMIT $3
            FOR UPDATE OF h SKIP LOCKED
        ),
        picked AS (
            SELECT e.id FROM entries e
            WHERE e.state = 0 AND (e.id IN (SELECT id FROM heads) OR e.subscription_id IN (SELECT subscription_id FROM heads WHERE subscription_id IS NOT NULL))
            ORDER BY e.id LIMIT $3
        )
        UPDATE entries u SET lease_owner = $2, lease_expires_at = $4
        FROM picked WHERE u.id = picked.id
        RETURNING u.id, u.kind, u.dedupe_key, u.subscription_id, u.message_index, u.received_at, u.request_server_version, u.registration,
                  u.trace_parent, u.body_id, u.lifecycle, u.attempts
        """;

    /// <summary>
    /// Claims entries of <c>$5</c> (ids this instance appended) under the rules of <see cref="ClaimSql"/>: a candidate is
    /// free when no pending entry of its subscription is under a live lease and none earlier is outside the candidates;
    /// the free ones are locked (<c>SKIP LOCKED</c>), and one whose subscription lost an earlier one to the lock stays
    /// behind. Returns a row per candidate still pending and not under a live lease: with its attempts and the handlers
    /// that succeeded when it was claimed now, with nulls when it waits for an earlier entry.
    /// </summary>
    internal const string ClaimAppendedSql = """
        WITH c AS (
            SELECT e.id, e.subscription_id,
                   e.subscription_id IS NULL OR NOT EXISTS (
                       SELECT 1 FROM entries l
                       WHERE l.state = 0 AND l.subscription_id = e.subscription_id
                         AND ((l.lease_owner IS NOT NULL AND l.lease_expires_at > $1) OR (l.id < e.id AND l.id NOT IN (SELECT unnest($5::bigint[]))))) AS free
            FROM entries e
            WHERE e.id = ANY ($5::bigint[]) AND e.state = 0 AND (e.lease_expires_at IS NULL OR e.lease_expires_at <= $1)
        ),
        locked AS (
            SELECT e.id, e.subscription_id FROM entries e
            WHERE e.id IN (SELECT id FROM c WHERE free) AND e.state = 0 AND (e.lease_expires_at IS NULL OR e.lease_expires_at <= $1)
            ORDER BY e.id
            FOR UPDATE OF e SKIP LOCKED
        ),
        picked AS (
            SELECT k.id FROM locked k
            WHERE k.subscription_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM c
                WHERE c.subscription_id = k.subscription_id AND c.id < k.id AND c.id NOT IN (SELECT id FROM locked))
            ORDER BY k.id LIMIT $3
        ),
        claimed AS (
            UPDATE entries u SET lease_owner = $2, lease_expires_at = $4
            FROM picked WHERE u.id = picked.id
            RETURNING u.id, u.attempts, ARRAY(SELECT d.handler FROM deliveries d WHERE d.entry_id = u.id AND d.status = 0) AS succeeded
        )
        SELECT c.id, claimed.attempts, claimed.succeeded FROM c LEFT JOIN claimed ON claimed.id = c.id
        """;

    /// <summary>How often, at least, a claim searches the whole log while entries this instance appended keep it busy.</summary>
    internal static readonly TimeSpan SearchInterval = TimeSpan.FromMilliseconds(250);

    private const int AppendWriters = 3;

    // Appended entries kept for the claim (bodies included): beyond this many, the search of the whole log finds the rest.
    private const int MaxAppended = 8192;

    private const int MaxCandidatesPerClaim = 1024;

    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlClaimSignal _claimable;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgreSqlEntryLog> _logger;
    private const string AppendOperation = "Storing pushes in the database";

    private readonly Hosting.RepeatedFailureLog _appendFailures;
    private readonly int _maxBatchMessages;
    private readonly Channel<PendingAppend> _queue;
    private readonly Task _writer;
    private readonly Channel<PendingCompletion> _completions = Channel.CreateUnbounded<PendingCompletion>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _completer;
    private static readonly IReadOnlySet<string> NoHandlers = new HashSet<string>(StringComparer.Ordinal);
    private readonly Dictionary<long, ClaimedEntry> _appended = [];
    private long _searchedAt;
    // Searches of the whole log so far, and the count when each entry held now was claimed. A search passes over the
    // entries of a subscription whose earlier entry is held; when that one completes, the next claim must search again,
    // or an entry this instance did not append (another instance's, a lifecycle event of the manager or the watchdog)
    // would wait for the SearchInterval (for ever on a clock that does not move).
    private long _searches;
    private readonly ConcurrentDictionary<long, long> _claimedAtSearch = new();
    private bool _searchFilled;

    public PostgreSqlEntryLog(PostgreSqlDatabase database, PostgreSqlClaimSignal claimable, IOptions<InboxOptions> options, TimeProvider time, ILogger<PostgreSqlEntryLog> logger)
    {
        _database = database;
        _claimable = claimable;
        _time = time;
        _logger = logger;
        _appendFailures = new Hosting.RepeatedFailureLog(time, Hosting.RepeatedFailureLog.OneMinute);
        _maxBatchMessages = options.Value.MaxBatchSize;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.Value.WriteQueueCapacity));

        // A few writers, so one group is prepared and sent while another waits for its commit's WAL flush; groups
        // touching the same subscriptions take turns on the subscriptions' locks.
        _writer = Task.WhenAll(Enumerable.Range(0, AppendWriters).Select(_ => Task.Run(WriteLoopAsync)));
        _completer = Task.Run(CompleteLoopAsync);
    }

    public async ValueTask<PushAppendResult> AppendAsync(PushAppend push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        var pending = new PendingAppend(push, cancellationToken);
        // Bounded: a database that stopped answering (paused, hung, a lock held) must not keep Exchange waiting for an
        // answer; a Server fault makes it send the push again, and should this append still commit, that is a duplicate.
        using var bound = new CancellationTokenSource(_database.CommandTimeout, _time);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token) : null;
        var token = linked?.Token ?? bound.Token;
        try
        {
            await _queue.Writer.WriteAsync(pending, token).ConfigureAwait(false);
            return await pending.Completion.Task.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var timeout = new TimeoutException($"The PostgreSQL database {_database.Target} did not store the push within {PostgreSqlStorageOptions.SectionName}:CommandTimeout ({_database.CommandTimeout}).");
            // A writer that has not taken it yet skips it (see WriteLoopAsync). Cancelled, not faulted: nobody awaits it
            // any more, and a fault nobody observes is reported as an unobserved task exception.
            pending.Completion.TrySetCanceled(bound.Token);
            throw timeout;
        }
    }

    public async ValueTask<IReadOnlyList<ClaimedEntry>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var expires = now + lease;
        await using var connection = await _database.OpenRelaxedAsync(cancellationToken).ConfigureAwait(false);
        var claimed = await ClaimAppendedAsync(connection, owner, max, now, expires, cancellationToken).ConfigureAwait(false);
        // Held since before the search below (if it runs): entries it passes over may wait behind these.
        Hold(claimed, Interlocked.Read(ref _searches));
        // The search of the whole log: when told there may be work this instance did not append, when the last search
        // filled its claim (there may be more), and every SearchInterval (leases that ran out, a signal that was lost).
        if (claimed.Count < max && (_claimable.TryReset() || Volatile.Read(ref _searchFilled) || now.UtcTicks - Volatile.Read(ref _searchedAt) >= SearchInterval.Ticks))
        {
            Volatile.Write(ref _searchedAt, now.UtcTicks);
            Interlocked.Increment(ref _searches);
            var found = await SearchAsync(connection, owner, max - claimed.Count, now, expires, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _searchFilled, found.Count == max - claimed.Count);
            Hold(found, Interlocked.Read(ref _searches));
            claimed.AddRange(found);
        }

        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>Claims from the entries this instance appended (<see cref="ClaimAppendedSql"/>); forgets those claimed or gone.</summary>
    private async Task<List<ClaimedEntry>> ClaimAppendedAsync(NpgsqlConnection connection, string owner, int max, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        Dictionary<long, ClaimedEntry> candidates;
        lock (_appended)
        {
            if (_appended.Count == 0)
            {
                return [];
            }

            // The oldest first, a bounded number per claim: the statement checks each against the others.
            candidates = _appended.Count <= MaxCandidatesPerClaim
                ? new Dictionary<long, ClaimedEntry>(_appended)
                : _appended.Keys.Order().Take(MaxCandidatesPerClaim).ToDictionary(id => id, id => _appended[id]);
        }

        var claimed = new List<ClaimedEntry>();
        var waiting = new HashSet<long>();
        await using (var claim = PostgreSqlSql.Command(connection, ClaimAppendedSql, null, PostgreSqlSql.Utc(now), owner, max, PostgreSqlSql.Utc(expires), candidates.Keys.ToArray()))
        {
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                if (reader.IsDBNull(1))
                {
                    waiting.Add(id);
                    continue;
                }

                var succeeded = reader.GetFieldValue<string[]>(2);
                claimed.Add(candidates[id] with
                {
                    Attempts = reader.GetInt32(1),
                    SucceededHandlers = succeeded.Length == 0 ? NoHandlers : new HashSet<string>(succeeded, StringComparer.Ordinal),
                    LeaseExpiresAt = expires,
                });
            }
        }

        lock (_appended)
        {
            foreach (var id in candidates.Keys)
            {
                if (!waiting.Contains(id))
                {
                    _appended.Remove(id);
                }
            }
        }

        return claimed;
    }

    /// <summary>Claims from the whole log (<see cref="ClaimSql"/>), reading the bodies and earlier handler outcomes.</summary>
    private static async Task<List<ClaimedEntry>> SearchAsync(NpgsqlConnection connection, string owner, int max, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, EntryKind Kind, string Key, string? Sub, int Index, DateTimeOffset Received, string? Version, string? Registration, string? Trace, long? BodyId, byte[]? Lifecycle, int Attempts)>();
        await using (var claim = PostgreSqlSql.Command(connection, ClaimSql, null, PostgreSqlSql.Utc(now), owner, max, PostgreSqlSql.Utc(expires)))
        {
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((
                    reader.GetInt64(0),
                    (EntryKind)reader.GetInt16(1),
                    reader.GetString(2),
                    PostgreSqlSql.NullableString(reader, 3),
                    reader.GetInt32(4),
                    reader.GetFieldValue<DateTimeOffset>(5),
                    PostgreSqlSql.NullableString(reader, 6),
                    PostgreSqlSql.NullableString(reader, 7),
                    PostgreSqlSql.NullableString(reader, 8),
                    reader.IsDBNull(9) ? null : reader.GetInt64(9),
                    reader.IsDBNull(10) ? null : reader.GetFieldValue<byte[]>(10),
                    reader.GetInt32(11)));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        rows.Sort((a, b) => a.Id.CompareTo(b.Id));
        var bodies = new Dictionary<long, byte[]>();
        var succeeded = new Dictionary<long, HashSet<string>>();
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("SELECT id, body FROM bodies WHERE id = ANY($1)", (object)rows.Where(r => r.BodyId is not null).Select(r => r.BodyId!.Value).Distinct().ToArray()));
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("SELECT entry_id, handler FROM deliveries WHERE status = 0 AND entry_id = ANY($1)", (object)rows.Select(r => r.Id).ToArray()));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                bodies[reader.GetInt64(0)] = reader.GetFieldValue<byte[]>(1);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                if (!succeeded.TryGetValue(id, out var handlers))
                {
                    succeeded[id] = handlers = new HashSet<string>(StringComparer.Ordinal);
                }

                handlers.Add(reader.GetString(1));
            }
        }

        return rows.Select(r => new ClaimedEntry(
            r.Id,
            r.Kind,
            r.Key,
            r.Sub,
            r.Index,
            r.Received,
            r.Version,
            r.Registration,
            r.Trace,
            r.BodyId,
            r.BodyId is { } bodyId ? bodies[bodyId] : r.Lifecycle ?? [],
            r.Attempts,
            succeeded.TryGetValue(r.Id, out var handlers) ? handlers : NoHandlers,
            expires)).ToList();
    }

    public async Task<int> RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenRelaxedAsync(cancellationToken).ConfigureAwait(false);
        return await PostgreSqlSql.ExecuteAsync(
            connection,
            null,
            "UPDATE entries SET lease_expires_at = $2 WHERE state = 0 AND lease_owner = $1",
            cancellationToken,
            owner,
            PostgreSqlSql.Utc(_time.GetUtcNow() + lease)).ConfigureAwait(false);
    }

    public async Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenRelaxedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE entries SET lease_owner = NULL, lease_expires_at = NULL WHERE state = 0 AND lease_owner = $1", owner));
        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Entries, null));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _claimedAtSearch.Clear();
        _claimable.Set();
        return batch.BatchCommands[0].RecordsAffected;
    }

    public async Task RecordAttemptAsync(long entryId, int attempt, IReadOnlyList<HandlerAttempt> handlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        var now = PostgreSqlSql.Utc(_time.GetUtcNow());
        await using var connection = await _database.OpenRelaxedAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE entries SET attempts = $2 WHERE id = $1", entryId, attempt));
        foreach (var handler in handlers)
        {
            // A handler that succeeded stays succeeded (a retry skipped it), and only real failures count against it.
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                """
                WITH delivery AS (
                    INSERT INTO deliveries (entry_id, handler, status, attempts, last_error, updated_at) VALUES ($1, $2, $3, 1, $4, $5)
                    ON CONFLICT (entry_id, handler) DO UPDATE SET
                        status = CASE WHEN deliveries.status = 0 THEN 0 ELSE EXCLUDED.status END,
                        attempts = deliveries.attempts + 1,
                        last_error = CASE WHEN deliveries.status = 0 THEN NULL ELSE EXCLUDED.last_error END,
                        updated_at = EXCLUDED.updated_at
                    RETURNING status
                )
                INSERT INTO handler_failures (handler, failures, last_error, last_failed_at)
                SELECT $2, 1, $4, $5 FROM delivery WHERE status = 1
                ON CONFLICT (handler) DO UPDATE SET failures = handler_failures.failures + 1, last_error = EXCLUDED.last_error, last_failed_at = EXCLUDED.last_failed_at
                """,
                entryId,
                handler.Handler,
                (short)(handler.Succeeded ? 0 : 1),
                handler.Succeeded ? null : handler.Error ?? "failed",
                now));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken)
    {
        // Coalesced: completions waiting meanwhile commit together, in one statement (see CompleteLoopAsync).
        var pending = new PendingCompletion(entryId, attempts, vote, reason);
        await _completions.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Completion.Task.ConfigureAwait(false);
        Released(entryId);
    }

    private void Hold(List<ClaimedEntry> claimed, long searches)
    {
        foreach (var entry in claimed)
        {
            _claimedAtSearch[entry.Id] = searches;
        }
    }

    // The entry is no longer held: if a search ran while it was, entries behind it may have been passed over.
    private void Released(long entryId)
    {
        if (_claimedAtSearch.TryRemove(entryId, out var searches) && Interlocked.Read(ref _searches) > searches)
        {
            _claimable.Set();
        }
    }

    public async Task DeadLetterAsync(long entryId, int attempts, string lastError, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenRelaxedAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSql.ExecuteAsync(
            connection,
            null,
            "UPDATE entries SET state = 2, attempts = greatest(attempts, $2), last_error = $3, finished_at = $4, lease_owner = NULL, lease_expires_at = NULL WHERE id = $1",
            cancellationToken,
            entryId,
            attempts,
            lastError,
            PostgreSqlSql.Utc(_time.GetUtcNow())).ConfigureAwait(false);
        Released(entryId);
    }

    public async Task<EntryLogStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
            """
            SELECT count(*) FILTER (WHERE state = 0 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)),
                   count(*) FILTER (WHERE state = 0 AND lease_expires_at > $1),
                   count(*) FILTER (WHERE state = 2),
                   count(*) FILTER (WHERE state = 1),
                   min(received_at) FILTER (WHERE state = 0)
            FROM entries
            """,
            PostgreSqlSql.Utc(_time.GetUtcNow())));
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("SELECT handler, failures, last_error, last_failed_at FROM handler_failures ORDER BY handler"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (pending, inFlight, dead, done, oldest) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), PostgreSqlSql.NullableTime(reader, 4));
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var handlers = new List<HandlerFailureStats>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            handlers.Add(new HandlerFailureStats(reader.GetString(0), reader.GetInt64(1), PostgreSqlSql.NullableString(reader, 2), PostgreSqlSql.NullableTime(reader, 3)));
        }

        return new EntryLogStats(pending, inFlight, dead, done, oldest, handlers);
    }

    // The payload is not written: the shared database's space is the database administrator's to watch, not bounded per
    // listener as SQLite's MaxSizeMegabytes is, so a refused push says nothing a plain write would not.
    public async Task ProbeAsync(int payloadBytes, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSql.ExecuteAsync(
            connection,
            null,
            "INSERT INTO probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = EXCLUDED.probed_at",
            cancellationToken,
            PostgreSqlSql.Utc(_time.GetUtcNow())).ConfigureAwait(false);
    }

    /// <summary>The most entries one retention transaction deletes (<see cref="PostgreSqlSql.DeleteBatchSize"/>; tests lower it).</summary>
    internal int DeleteBatchSize { get; set; } = PostgreSqlSql.DeleteBatchSize;

    public Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        PostgreSqlSql.DeleteEntriesInBatchesAsync(_database, "state = 1 AND received_at < $1", [PostgreSqlSql.Utc(before)], DeleteBatchSize, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _completions.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _completer.ConfigureAwait(false);
    }

    private async Task CompleteLoopAsync()
    {
        var reader = _completions.Reader;
        var group = new List<PendingCompletion>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < _maxBatchMessages && reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            try
            {
                await using var connection = await _database.OpenRelaxedAsync(CancellationToken.None).ConfigureAwait(false);
                await PostgreSqlSql.ExecuteAsync(
                    connection,
                    null,
                    """
                    UPDATE entries e SET state = 1, attempts = u.attempts, vote = u.vote, vote_reason = u.reason, finished_at = $5,
                        last_error = NULL, lease_owner = NULL, lease_expires_at = NULL
                    FROM unnest($1::bigint[], $2::integer[], $3::smallint[], $4::text[]) AS u(id, attempts, vote, reason)
                    WHERE e.id = u.id
                    """,
                    CancellationToken.None,
                    group.Select(c => c.EntryId).ToArray(),
                    group.Select(c => c.Attempts).ToArray(),
                    group.Select(c => (short)c.Vote).ToArray(),
                    group.Select(c => c.Reason).ToArray(),
                    PostgreSqlSql.Utc(_time.GetUtcNow())).ConfigureAwait(false);
                foreach (var pending in group)
                {
                    pending.Completion.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in group)
                {
                    pending.Completion.TrySetException(ex);
                }
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<PendingAppend>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            var messages = 0;
            while (messages < _maxBatchMessages && reader.TryRead(out var pending))
            {
                if (pending.CancellationToken.IsCancellationRequested)
                {
                    pending.Completion.TrySetCanceled(pending.CancellationToken);
                    continue;
                }

                // Its caller stopped waiting (CommandTimeout) and answered a fault: Exchange sends it again.
                if (pending.Completion.Task.IsCompleted)
                {
                    continue;
                }

                group.Add(pending);
                messages += Math.Max(1, pending.Push.Messages.Count);
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                var pushes = group.Select(g => g.Push).ToList();
                var (results, inserted) = await PostgreSqlPushAppender.AppendAsync(connection, pushes, CancellationToken.None).ConfigureAwait(false);

                _appendFailures.ReportSuccess(_logger, AppendOperation);

                // Before the callers resume: their signal wakes the dispatcher, which claims these first.
                Remember(pushes, inserted);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                // An outage fails every group: the first in full, then a summary a minute.
                var count = group.Count;
                _appendFailures.Report(_logger, AppendOperation, ex, (logger, e) => AppendFailed(logger, count, _database.Target, e));

                foreach (var pending in group)
                {
                    pending.Completion.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>Keeps the entries a transaction inserted for the next claim, with a copy of each push's body (the request's buffer is not ours).</summary>
    private void Remember(List<PushAppend> pushes, IReadOnlyList<PostgreSqlPushAppender.NewEntry> inserted)
    {
        var bodies = new byte[]?[pushes.Count];
        var entries = new List<ClaimedEntry>(inserted.Count);
        foreach (var e in inserted)
        {
            var body = e.Kind == EntryKind.Lifecycle ? e.Lifecycle ?? [] : bodies[e.Push] ??= pushes[e.Push].Body.ToArray();
            entries.Add(new ClaimedEntry(e.Id, e.Kind, e.DedupeKey, e.SubscriptionId, e.MessageIndex, e.ReceivedAt, e.RequestServerVersion, e.Registration, e.TraceParent, e.BodyId, body, 0, NoHandlers, default));
        }

        lock (_appended)
        {
            foreach (var entry in entries)
            {
                if (_appended.Count >= MaxAppended)
                {
                    break;
                }

                _appended[entry.Id] = entry;
            }
        }
    }




    [LoggerMessage(930, LogLevel.Error, "Could not store {Count} push(es) in {Target}; they are answered with a Server fault and Exchange sends them again")]
    private static partial void AppendFailed(ILogger logger, int count, string target, Exception exception);

    private sealed class PendingCompletion(long entryId, int attempts, SubscriptionStatus vote, string? reason)
    {
        public long EntryId { get; } = entryId;

        public int Attempts { get; } = attempts;

        public SubscriptionStatus Vote { get; } = vote;

        public string? Reason { get; } = reason;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PendingAppend(PushAppend push, CancellationToken cancellationToken)
    {
        public PushAppend Push { get; } = push;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<PushAppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
