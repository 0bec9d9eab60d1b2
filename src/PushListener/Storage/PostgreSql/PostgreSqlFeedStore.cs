using System.Text.Json;
using Npgsql;
using PushListener.Feeds;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Consumer feeds in the shared database. Every write runs in a transaction that first locks its feed's row
/// (<c>FOR UPDATE</c>), so a fetch on one instance and an append or a fetch on another take turns: two fetches never
/// hand out the same entry. Appends notify <see cref="PostgreSqlChannels.Feeds"/> with the feed's session at commit, so
/// long-polls and event streams wake on every instance.
/// </summary>
internal sealed class PostgreSqlFeedStore(PostgreSqlDatabase database, TimeProvider time) : IFeedStore
{
    private const string EntryColumns = "seq, kind, body, created_at, deliveries";

    public async Task<IReadOnlyList<FeedInfo>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, "SELECT handle, session, name, scope, key_hash, created_at, max_age_ms, max_entries FROM feeds ORDER BY created_at, handle", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var feeds = new List<FeedInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var scope = JsonSerializer.Deserialize(reader.GetString(3), FeedJson.Context.FeedScope)
                ?? throw new InvalidOperationException($"Feed {reader.GetString(0)} has no scope.");
            feeds.Add(new FeedInfo(
                reader.GetString(0),
                reader.GetString(1),
                PostgreSqlSql.NullableString(reader, 2),
                scope,
                reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                TimeSpan.FromMilliseconds(reader.GetInt64(6)),
                reader.GetInt32(7)));
        }

        return feeds;
    }

    public async ValueTask<bool> CreateAsync(FeedInfo feed, int maxFeeds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feed);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Counted under a lock, so registrations on two instances cannot both slip under the limit.
        await PostgreSqlSql.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended('pushlistener:feeds:' || current_schema(), 0))", cancellationToken).ConfigureAwait(false);
        await using (var count = PostgreSqlSql.Command(connection, "SELECT count(*) FROM feeds", transaction))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! >= maxFeeds)
            {
                return false;
            }
        }

        await PostgreSqlSql.ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO feeds (handle, session, name, scope, key_hash, created_at, max_age_ms, max_entries) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            cancellationToken,
            feed.Handle,
            feed.Session,
            feed.Name,
            JsonSerializer.Serialize(feed.Scope, FeedJson.Context.FeedScope),
            feed.KeyHash,
            PostgreSqlSql.Utc(feed.CreatedAt),
            (long)feed.MaxAge.TotalMilliseconds,
            feed.MaxEntries).ConfigureAwait(false);
        await using (var notify = PostgreSqlNotifier.Notify(connection, PostgreSqlChannels.Catalog, PostgreSqlChannels.CatalogFeeds, transaction))
        {
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> ReleaseAsync(string handle, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // Its entries go with it (ON DELETE CASCADE); the other instances forget it at the commit.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("DELETE FROM feeds WHERE handle = $1", handle));
        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Catalog, PostgreSqlChannels.CatalogFeeds));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return batch.BatchCommands[0].RecordsAffected > 0;
    }

    public async ValueTask<AppendOutcome> AppendAsync(IReadOnlyList<FeedAppend> appends, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appends);
        var now = PostgreSqlSql.Utc(time.GetUtcNow());
        var sessions = new List<string>(appends.Count);
        var overflows = new List<FeedOverflow>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Feeds locked in handle order, so two appends touching the same feeds never wait for each other in a cycle.
        await using (var lockFeeds = PostgreSqlSql.Command(connection, "SELECT handle FROM feeds WHERE handle = ANY($1) ORDER BY handle FOR UPDATE", transaction, (object)appends.Select(a => a.Feed.Handle).Distinct(StringComparer.Ordinal).ToArray()))
        {
            await lockFeeds.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var append in appends)
        {
            var handle = append.Feed.Handle;
            await using (var exists = PostgreSqlSql.Command(connection, "SELECT 1 FROM feed_entries WHERE handle = $1 AND delivery_id = $2", transaction, handle, append.DeliveryId))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }
            }

            long seq, live, maxEntries;
            await using (var allocate = PostgreSqlSql.Command(
                connection,
                "UPDATE feeds SET next_seq = next_seq + 1, live = live + 1, appended = appended + 1, last_append_at = $2 WHERE handle = $1 RETURNING next_seq - 1, live, max_entries",
                transaction,
                handle,
                now))
            {
                await using var reader = await allocate.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue; // released meanwhile
                }

                (seq, live, maxEntries) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
            }

            await PostgreSqlSql.ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO feed_entries (handle, seq, kind, delivery_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                cancellationToken,
                handle,
                seq,
                (short)append.Kind,
                append.DeliveryId,
                append.Body,
                now).ConfigureAwait(false);
            if (live > maxEntries)
            {
                overflows.Add(await DropOldestAsync(connection, transaction, handle, live - maxEntries, "maxEntries", now, cancellationToken).ConfigureAwait(false));
            }

            if (!sessions.Contains(append.Feed.Session, StringComparer.Ordinal))
            {
                sessions.Add(append.Feed.Session);
            }
        }

        foreach (var session in sessions)
        {
            await using var notify = PostgreSqlNotifier.Notify(connection, PostgreSqlChannels.Feeds, session, transaction);
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AppendOutcome(sessions, overflows);
    }

    public async ValueTask<FetchResult?> FetchAsync(string handle, string session, long? ack, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var now = PostgreSqlSql.Utc(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await LockFeedAsync(connection, transaction, handle, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var acknowledged = ack is { } cursor ? await AcknowledgeLockedAsync(connection, transaction, handle, cursor, cancellationToken).ConfigureAwait(false) : 0;
        var entries = new List<FeedEntryOut>();
        var pending = false;
        long total = 0;
        await using (var select = PostgreSqlSql.Command(
            connection,
            $"SELECT {EntryColumns} FROM feed_entries WHERE handle = $1 AND state = 0 AND leased_until <= $2 ORDER BY seq LIMIT $3",
            transaction,
            handle,
            now,
            maxCount + 1))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (entries.Count >= maxCount)
                {
                    pending = true;
                    break;
                }

                var entry = Read(reader);

                // The first entry always goes, however large: a notification bigger than the budget must not jam the feed.
                if (entries.Count > 0 && total + entry.Json.Length > maxBytes)
                {
                    pending = true;
                    break;
                }

                entries.Add(entry);
                total += entry.Json.Length;
            }
        }

        await LeaseAsync(connection, transaction, handle, entries, now + visibility, now, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? nextVisible = null;
        if (entries.Count == 0)
        {
            await using var next = PostgreSqlSql.Command(connection, "SELECT min(leased_until) FROM feed_entries WHERE handle = $1 AND state = 0 AND leased_until > $2", transaction, handle, now);
            if (await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime at)
            {
                nextVisible = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
            }
        }

        var others = await PendingInSessionAsync(connection, transaction, handle, session, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new FetchResult(entries, pending, others, acknowledged, nextVisible);
    }

    public async ValueTask<int?> AcknowledgeAsync(string handle, long cursor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await LockFeedAsync(connection, transaction, handle, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var acknowledged = await AcknowledgeLockedAsync(connection, transaction, handle, cursor, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return acknowledged;
    }

    public async ValueTask<IReadOnlyList<FeedEntryOut>?> StreamAsync(string handle, long after, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var now = PostgreSqlSql.Utc(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await LockFeedAsync(connection, transaction, handle, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var entries = new List<FeedEntryOut>();
        long total = 0;
        var full = false;

        // Gap records that took the place of entries at or before the position and were never handed out come first.
        foreach (var sql in (string[])[
            $"SELECT {EntryColumns} FROM feed_entries WHERE handle = $1 AND state = 0 AND kind = 3 AND deliveries = 0 AND seq <= $2 ORDER BY seq LIMIT $3",
            $"SELECT {EntryColumns} FROM feed_entries WHERE handle = $1 AND state = 0 AND seq > $2 ORDER BY seq LIMIT $3"])
        {
            await using var select = PostgreSqlSql.Command(connection, sql, transaction, handle, after, maxCount);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (!full && entries.Count < maxCount && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var entry = Read(reader);
                if (entries.Count > 0 && total + entry.Json.Length > maxBytes)
                {
                    full = true;
                    break;
                }

                entries.Add(entry);
                total += entry.Json.Length;
            }
        }

        await LeaseAsync(connection, transaction, handle, entries, now + visibility, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return entries;
    }

    public async ValueTask<FeedOverflow?> ApplyAgeLimitAsync(FeedInfo feed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var now = PostgreSqlSql.Utc(time.GetUtcNow());
        var cutoff = now - feed.MaxAge;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await LockFeedAsync(connection, transaction, feed.Handle, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // seq follows arrival: the expired entries are the ones before the first young one.
        long? upTo;
        await using (var select = PostgreSqlSql.Command(
            connection,
            """
            SELECT max(seq) FROM feed_entries
            WHERE handle = $1 AND state = 0 AND kind <> 3
              AND seq < coalesce((SELECT min(seq) FROM feed_entries WHERE handle = $1 AND state = 0 AND kind <> 3 AND created_at >= $2), 9223372036854775807)
            """,
            transaction,
            feed.Handle,
            cutoff))
        {
            upTo = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : null;
        }

        FeedOverflow? overflow = upTo is { } through ? await DropThroughAsync(connection, transaction, feed.Handle, through, "maxAge", now, cancellationToken).ConfigureAwait(false) : null;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await DeleteTombstonesAsync(connection, feed.Handle, cutoff, cancellationToken).ConfigureAwait(false);
        return overflow;
    }

    /// <summary>The most tombstones one statement deletes (<see cref="PostgreSqlSql.DeleteBatchSize"/>; tests lower it).</summary>
    internal int DeleteBatchSize { get; set; } = PostgreSqlSql.DeleteBatchSize;

    // Tombstones (acknowledged or dropped entries, kept only so a retried append finds its delivery) go in bounded
    // statements outside the feed's lock: a busy feed's round can hold more than one statement should delete within
    // CommandTimeout, and appends and fetches need not wait for it. Only state 0 entries change, so none comes back.
    private async Task DeleteTombstonesAsync(NpgsqlConnection connection, string handle, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = await PostgreSqlSql.ExecuteAsync(
                connection,
                null,
                """
                DELETE FROM feed_entries WHERE handle = $1 AND state <> 0 AND created_at < $2
                  AND seq IN (SELECT seq FROM feed_entries WHERE handle = $1 AND state <> 0 AND created_at < $2 LIMIT $3)
                """,
                cancellationToken,
                handle,
                cutoff,
                DeleteBatchSize).ConfigureAwait(false);
        }
        while (deleted >= DeleteBatchSize);
    }

    public async Task<FeedCounters?> GetCountersAsync(string handle, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(
            connection,
            """
            SELECT f.next_seq - 1, f.appended, f.delivered, f.acked, f.dropped, f.live, f.last_append_at, f.last_fetch_at,
                   count(e.seq) FILTER (WHERE e.leased_until <= $2), count(e.seq) FILTER (WHERE e.leased_until > $2), count(e.seq) FILTER (WHERE e.kind = 3), min(e.created_at)
            FROM feeds f LEFT JOIN feed_entries e ON e.handle = f.handle AND e.state = 0
            WHERE f.handle = $1
            GROUP BY f.handle
            """,
            null,
            handle,
            PostgreSqlSql.Utc(time.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new FeedCounters(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            reader.GetInt64(4),
            reader.GetInt64(5),
            reader.GetInt64(8),
            reader.GetInt64(9),
            reader.GetInt64(10),
            PostgreSqlSql.NullableTime(reader, 11),
            PostgreSqlSql.NullableTime(reader, 6),
            PostgreSqlSql.NullableTime(reader, 7));
    }

    private static FeedEntryOut Read(NpgsqlDataReader reader)
    {
        var seq = reader.GetInt64(0);
        var kind = (FeedEntryKind)reader.GetInt16(1);

        // Encoded with the count this hand-out makes, so the size packed is the size sent.
        var json = FeedJson.Entry(seq, kind, reader.GetInt32(4) + 1, reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<byte[]>(2));
        return new FeedEntryOut(seq, kind, json);
    }

    private static async Task<bool> LockFeedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlSql.Command(connection, "SELECT 1 FROM feeds WHERE handle = $1 FOR UPDATE", transaction, handle);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private static async Task LeaseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, List<FeedEntryOut> entries, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE feed_entries SET leased_until = $3, deliveries = deliveries + 1 WHERE handle = $1 AND seq = ANY($2)", handle, entries.Select(e => e.Seq).ToArray(), until));
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE feeds SET delivered = delivered + $2, last_fetch_at = $3 WHERE handle = $1", handle, (long)entries.Count, now));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Only entries that were handed out count: a gap record that replaced entries after the consumer's fetch is news to it.
    private static async Task<int> AcknowledgeLockedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, long cursor, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlSql.Command(
            connection,
            """
            WITH acked AS (
                UPDATE feed_entries SET state = 1, body = '\x'::bytea WHERE handle = $1 AND state = 0 AND seq <= $2 AND deliveries > 0
                RETURNING kind
            ), counted AS (
                SELECT count(*) AS all_entries, count(*) FILTER (WHERE kind <> 3) AS entries FROM acked
            ), feed AS (
                UPDATE feeds SET live = live - (SELECT entries FROM counted), acked = acked + (SELECT entries FROM counted) WHERE handle = $1
            )
            SELECT all_entries FROM counted
            """,
            transaction,
            handle,
            cursor);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<FeedOverflow> DropOldestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, long count, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlSql.Command(connection, "SELECT seq FROM feed_entries WHERE handle = $1 AND state = 0 AND kind <> 3 ORDER BY seq LIMIT 1 OFFSET $2", transaction, handle, count - 1);
        var upTo = (long)(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return await DropThroughAsync(connection, transaction, handle, upTo, reason, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops every waiting entry up to <paramref name="upTo"/>: the last one becomes the gap record (so it sits where the
    /// lost entries were, ahead of everything newer), the rest become tombstones; earlier gap records merge into it.
    /// </summary>
    private static async Task<FeedOverflow> DropThroughAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, long upTo, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long entries, earlier, gaps;
        await using (var count = PostgreSqlSql.Command(
            connection,
            """
            SELECT count(*) FILTER (WHERE kind <> 3), coalesce(sum(dropped) FILTER (WHERE kind = 3), 0)::bigint, count(*) FILTER (WHERE kind = 3)
            FROM feed_entries WHERE handle = $1 AND state = 0 AND seq <= $2
            """,
            transaction,
            handle,
            upTo))
        {
            await using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (entries, earlier, gaps) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE feed_entries SET state = 2, body = '\\x'::bytea WHERE handle = $1 AND state = 0 AND seq < $2", handle, upTo));
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
            "UPDATE feed_entries SET kind = 3, state = 0, body = $3, created_at = $4, leased_until = '-infinity', deliveries = 0, dropped = $5 WHERE handle = $1 AND seq = $2",
            handle,
            upTo,
            FeedJson.Gap(entries + earlier, reason, now),
            now,
            entries + earlier));
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE feeds SET live = live - $2, dropped = dropped + $2 WHERE handle = $1", handle, entries));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new FeedOverflow(handle, entries, gaps == 0, reason);
    }

    private static async Task<List<string>> PendingInSessionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string handle, string session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlSql.Command(
            connection,
            """
            SELECT f.handle FROM feeds f
            WHERE f.session = $1 AND f.handle <> $2
              AND EXISTS (SELECT 1 FROM feed_entries e WHERE e.handle = f.handle AND e.state = 0 AND e.leased_until <= $3)
            ORDER BY f.created_at, f.handle
            """,
            transaction,
            session,
            handle,
            now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var handles = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            handles.Add(reader.GetString(0));
        }

        return handles;
    }
}
