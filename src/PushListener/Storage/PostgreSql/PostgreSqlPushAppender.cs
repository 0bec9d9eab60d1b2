using Npgsql;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Stores a group of pushes in one transaction, in two round trips whatever the group's size:
/// <list type="number">
/// <item>BEGIN, lock the group's subscriptions (transaction advisory locks, in key order), then read which dedupe keys exist,
/// the subscriptions' registry rows, and enough ids from the sequences. Under the lock a retry of the same notification
/// to another instance waits for the first to commit and then sees it, so it is a duplicate, and a subscription's ids
/// are allocated in its commit order;</item>
/// <item>in memory: duplicates, <see cref="SubscriptionRules"/> for each new message (lifecycle entries ahead of the
/// notification), the registry rows' new values;</item>
/// <item>write bodies (once per push, one statement for the group), entries (<c>ON CONFLICT DO NOTHING</c> on the dedupe
/// hash as the last guard), the registry rows, take the sticky votes, and COMMIT.</item>
/// </list>
/// The inserted entries go back to <see cref="PostgreSqlEntryLog"/>, whose next claim takes them from memory.
/// </summary>
internal static class PostgreSqlPushAppender
{
    private const int MaxLifecycleEventsPerMessage = 3;
    private const string MarkedReason = "marked for unsubscribe";
    private const string StickyReason = "an earlier Unsubscribe vote";

    /// <summary>Stores <paramref name="pushes"/>; returns each push's result, and the entries this transaction inserted.</summary>
    public static async Task<(PushAppendResult[] Results, IReadOnlyList<NewEntry> Inserted)> AppendAsync(NpgsqlConnection connection, IReadOnlyList<PushAppend> pushes, CancellationToken cancellationToken)
    {
        // BEGIN goes with the reads and COMMIT with the writes: two round trips per group, not three.
        var plan = new Plan(pushes);
        try
        {
            await plan.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            plan.Decide();
            await plan.WriteAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RollBackAsync(connection).ConfigureAwait(false);
            throw;
        }
        if (plan.HasLateDuplicates)
        {
            await plan.ResolveLateDuplicatesAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return (plan.Results(), plan.Inserted);
    }

    /// <summary>Leaves the connection outside any transaction before it goes back to the pool (best effort: it may be broken).</summary>
    private static async Task RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex))
        {
            // A broken connection is not returned to the pool.
        }
    }

    private sealed class Plan(IReadOnlyList<PushAppend> pushes)
    {
        private readonly byte[][][] _hashes = pushes.Select(p => p.Messages.Select(m => PostgreSqlSql.Hash(m.DedupeKey)).ToArray()).ToArray();
        private readonly string[] _subscriptions = pushes.SelectMany(p => p.Messages).Select(m => m.SubscriptionId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        private readonly Dictionary<string, (long Id, EntryState State, SubscriptionStatus? Vote)> _existing = new(StringComparer.Ordinal);
        private readonly Dictionary<string, PostgreSqlSubscriptionRow> _rows = new(StringComparer.Ordinal);
        private readonly HashSet<string> _changedRows = new(StringComparer.Ordinal);
        private readonly List<NewEntry> _entries = [];
        private readonly MessageAppendResult[][] _results = pushes.Select(p => new MessageAppendResult[p.Messages.Count]).ToArray();
        private readonly long?[] _bodyIds = new long?[pushes.Count];
        private readonly List<(int Push, int Message, string Key)> _lateDuplicates = [];
        private Queue<long> _entryIds = new();
        private Queue<long> _bodyIdPool = new();

        public bool HasLateDuplicates => _lateDuplicates.Count > 0;

        public List<NewEntry> Inserted { get; } = [];

        public async Task ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var messages = pushes.Sum(p => p.Messages.Count);
            var withRegistry = pushes.Sum(p => p.Messages.Count(m => m.SubscriptionId is not null && m.Registry is not null));
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            if (_subscriptions.Length > 0)
            {
                batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(PostgreSqlSql.LockSubscriptions, (object)_subscriptions));
            }

            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                "SELECT dedupe_key, id, state, vote FROM entries WHERE dedupe_hash = ANY($1)",
                (object)_hashes.SelectMany(h => h).ToArray()));
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                $"SELECT {PostgreSqlSubscriptionRow.Columns} FROM subscriptions WHERE subscription_id = ANY($1)",
                (object)_subscriptions));
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                // The identity columns' sequences, named once: pg_get_serial_sequence per row cost five times the nextval.
                """
                SELECT array(SELECT nextval('entries_id_seq'::regclass) FROM generate_series(1, $1)),
                       array(SELECT nextval('bodies_id_seq'::regclass) FROM generate_series(1, $2))
                """,
                messages + (withRegistry * MaxLifecycleEventsPerMessage),
                pushes.Count));

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (_subscriptions.Length > 0)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _existing[reader.GetString(0)] = (reader.GetInt64(1), (EntryState)reader.GetInt16(2), reader.IsDBNull(3) ? null : (SubscriptionStatus)reader.GetInt16(3));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = PostgreSqlSubscriptionRow.Read(reader);
                _rows[row.SubscriptionId] = row;
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _entryIds = new Queue<long>(reader.GetFieldValue<long[]>(0));
            _bodyIdPool = new Queue<long>(reader.GetFieldValue<long[]>(1));
        }

        public void Decide()
        {
            // Keys new in this group: a second copy of a message in the same group is a duplicate of the first.
            var fresh = new Dictionary<string, NewEntry>(StringComparer.Ordinal);
            for (var p = 0; p < pushes.Count; p++)
            {
                var push = pushes[p];
                for (var m = 0; m < push.Messages.Count; m++)
                {
                    var message = push.Messages[m];
                    if (_existing.TryGetValue(message.DedupeKey, out var stored))
                    {
                        var marked = message.SubscriptionId is { } s && _rows.TryGetValue(s, out var r) && r.State is SubscriptionState.Unsubscribing or SubscriptionState.Unsubscribed;
                        _results[p][m] = new MessageAppendResult(stored.Id, IsDuplicate: true, stored.State, stored.Vote, marked, marked ? MarkedReason : null, 0);
                        continue;
                    }

                    if (fresh.TryGetValue(message.DedupeKey, out var first))
                    {
                        _results[p][m] = new MessageAppendResult(first.Id, IsDuplicate: true, EntryState.Pending, null, false, null, 0);
                        continue;
                    }

                    var (unsubscribe, lifecycle, registration) = ApplyRules(push, message);
                    var bodyId = _bodyIds[p] ??= _bodyIdPool.Dequeue();
                    var entry = new NewEntry(_entryIds.Dequeue(), EntryKind.Notification, message.DedupeKey, message.SubscriptionId, message.MessageIndex, push.ReceivedAt, push.RequestServerVersion, registration, push.TraceParent, bodyId, null, p, m);
                    _entries.Add(entry);
                    fresh[message.DedupeKey] = entry;
                    _results[p][m] = new MessageAppendResult(entry.Id, IsDuplicate: false, EntryState.Pending, null, unsubscribe, unsubscribe ? MarkedReason : null, lifecycle);
                }
            }
        }

        private (bool Unsubscribe, int Lifecycle, string? Registration) ApplyRules(PushAppend push, MessageAppend message)
        {
            if (message.SubscriptionId is not { } subscription || message.Registry is not { } update)
            {
                return (false, 0, message.Registry?.Registration);
            }

            _rows.TryGetValue(subscription, out var row);
            var decision = SubscriptionRules.OnPush(subscription, row?.Snapshot(), update, push.ReceivedAt);
            foreach (var lifecycle in decision.Events)
            {
                var key = "l:" + Guid.NewGuid().ToString("N");
                _entries.Add(new NewEntry(_entryIds.Dequeue(), EntryKind.Lifecycle, key, subscription, 0, push.ReceivedAt, push.RequestServerVersion, decision.Registration, push.TraceParent, null, LifecycleSerializer.Serialize(lifecycle), -1, -1));
            }

            row ??= _rows[subscription] = new PostgreSqlSubscriptionRow { SubscriptionId = subscription, FirstSeen = push.ReceivedAt };
            row.Apply(decision, update, push.RequestServerVersion, push.ReceivedAt);
            _changedRows.Add(subscription);
            return (decision.Unsubscribe, decision.Events.Count, decision.Registration);
        }

        public async Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection);
            var stored = Enumerable.Range(0, pushes.Count).Where(p => _bodyIds[p] is not null).ToArray();
            if (stored.Length > 0)
            {
                // One statement for the group's bodies: a statement per push cost more than the rest of the append.
                batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                    "INSERT INTO bodies (id, body) SELECT * FROM unnest($1::bigint[], $2::bytea[])",
                    stored.Select(p => _bodyIds[p]!.Value).ToArray(),
                    stored.Select(p => pushes[p].Body).ToArray()));
            }

            // Always present (possibly with no rows), so the reader's first result set is always the inserted ids.
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                """
                INSERT INTO entries (id, kind, dedupe_hash, dedupe_key, subscription_id, message_index, received_at, request_server_version, registration, trace_parent, body_id, lifecycle)
                SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bytea[], $4::text[], $5::text[], $6::integer[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bytea[])
                ON CONFLICT (dedupe_hash) DO NOTHING
                RETURNING id
                """,
                _entries.Select(e => e.Id).ToArray(),
                _entries.Select(e => (short)e.Kind).ToArray(),
                _entries.Select(e => PostgreSqlSql.Hash(e.DedupeKey)).ToArray(),
                _entries.Select(e => e.DedupeKey).ToArray(),
                _entries.Select(e => e.SubscriptionId).ToArray(),
                _entries.Select(e => e.MessageIndex).ToArray(),
                _entries.Select(e => PostgreSqlSql.Utc(e.ReceivedAt)).ToArray(),
                _entries.Select(e => e.RequestServerVersion).ToArray(),
                _entries.Select(e => e.Registration).ToArray(),
                _entries.Select(e => e.TraceParent).ToArray(),
                _entries.Select(e => e.BodyId).ToArray(),
                _entries.Select(e => e.Lifecycle).ToArray()));

            var rows = _changedRows.Select(s => _rows[s]).ToArray();
            if (rows.Length > 0)
            {
                batch.BatchCommands.Add(UpsertRows(rows));
            }

            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("DELETE FROM sticky_votes WHERE subscription_id = ANY($1) RETURNING subscription_id, reason", (object)_subscriptions));

            // No NOTIFY here: this instance's dispatcher takes the new entries from memory (PostgreSqlEntryLog), and the
            // push processor's signal (PostgreSqlDispatchNotifier, coalesced) wakes the other instances. A NOTIFY in the
            // transaction would also serialise every commit on the server's notification queue lock.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

            // Statements that return no rows (the body and registry writes) have no result set in the reader.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var inserted = new HashSet<long>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                inserted.Add(reader.GetInt64(0));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var votes = new Dictionary<string, string?>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                votes[reader.GetString(0)] = PostgreSqlSql.NullableString(reader, 1);
            }

            await reader.DisposeAsync().ConfigureAwait(false);
            ApplyOutcome(inserted, votes);
        }

        private void ApplyOutcome(HashSet<long> inserted, Dictionary<string, string?> votes)
        {
            foreach (var entry in _entries)
            {
                if (inserted.Contains(entry.Id))
                {
                    Inserted.Add(entry);
                }
                else if (entry.Kind == EntryKind.Notification)
                {
                    // Stored meanwhile by a transaction this one did not wait for (a message without a subscription).
                    _lateDuplicates.Add((entry.Push, entry.Message, entry.DedupeKey));
                }
            }

            // A sticky vote is answered once: by the first message of its subscription in the group, duplicate or not.
            for (var p = 0; p < pushes.Count && votes.Count > 0; p++)
            {
                for (var m = 0; m < pushes[p].Messages.Count; m++)
                {
                    if (pushes[p].Messages[m].SubscriptionId is { } subscription && votes.Remove(subscription, out var reason))
                    {
                        _results[p][m] = _results[p][m] with { Unsubscribe = true, UnsubscribeReason = reason ?? StickyReason };
                    }
                }
            }
        }

        public async Task ResolveLateDuplicatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var command = PostgreSqlSql.Command(
                connection,
                "SELECT dedupe_key, id, state, vote FROM entries WHERE dedupe_hash = ANY($1)",
                null,
                (object)_lateDuplicates.Select(d => PostgreSqlSql.Hash(d.Key)).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var found = new Dictionary<string, (long, EntryState, SubscriptionStatus?)>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found[reader.GetString(0)] = (reader.GetInt64(1), (EntryState)reader.GetInt16(2), reader.IsDBNull(3) ? null : (SubscriptionStatus)reader.GetInt16(3));
            }

            foreach (var (push, message, key) in _lateDuplicates)
            {
                var (id, state, vote) = found[key];
                _results[push][message] = new MessageAppendResult(id, IsDuplicate: true, state, vote, false, null, 0);
            }

            await reader.DisposeAsync().ConfigureAwait(false);

            // A push whose every message was such a late duplicate committed a body no entry refers to, and retention only
            // deletes the bodies of the entries it deletes: remove it here (rare, so off the append's two round trips).
            await PostgreSqlSql.DeleteUnusedBodiesAsync(connection, null, _lateDuplicates.Select(d => _bodyIds[d.Push]).OfType<long>().ToList(), cancellationToken).ConfigureAwait(false);
        }

        public PushAppendResult[] Results() => _results.Select(r => new PushAppendResult(r)).ToArray();

        private static NpgsqlBatchCommand UpsertRows(PostgreSqlSubscriptionRow[] rows)
        {
            var command = PostgreSqlSql.BatchCommand(
                """
                INSERT INTO subscriptions (subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
                    expected_interval_ms, interval_source, last_push_heartbeat, notifications, gaps, event_counts, last_error, last_error_at)
                SELECT s, st, reg, fs, ls, wm, pwm, v, iv, src, hb, n, g, ARRAY[c0, c1, c2, c3, c4, c5, c6, c7], err, errat
                FROM unnest($1::text[], $2::smallint[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                    $9::bigint[], $10::text[], $11::boolean[], $12::bigint[], $13::bigint[],
                    $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[],
                    $22::text[], $23::timestamptz[])
                    AS u(s, st, reg, fs, ls, wm, pwm, v, iv, src, hb, n, g, c0, c1, c2, c3, c4, c5, c6, c7, err, errat)
                ON CONFLICT (subscription_id) DO UPDATE SET
                    state = EXCLUDED.state, registration = EXCLUDED.registration, last_seen = EXCLUDED.last_seen,
                    last_watermark = EXCLUDED.last_watermark, last_previous_watermark = EXCLUDED.last_previous_watermark,
                    request_server_version = EXCLUDED.request_server_version, expected_interval_ms = EXCLUDED.expected_interval_ms,
                    interval_source = EXCLUDED.interval_source, last_push_heartbeat = EXCLUDED.last_push_heartbeat,
                    notifications = EXCLUDED.notifications, gaps = EXCLUDED.gaps, event_counts = EXCLUDED.event_counts,
                    last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at
                """,
                rows.Select(r => r.SubscriptionId).ToArray(),
                rows.Select(r => (short)r.State).ToArray(),
                rows.Select(r => r.Registration).ToArray(),
                rows.Select(r => PostgreSqlSql.Utc(r.FirstSeen)).ToArray(),
                rows.Select(r => PostgreSqlSql.Utc(r.LastSeen)).ToArray(),
                rows.Select(r => r.LastWatermark).ToArray(),
                rows.Select(r => r.LastPreviousWatermark).ToArray(),
                rows.Select(r => r.RequestServerVersion).ToArray(),
                rows.Select(r => r.ExpectedIntervalMs).ToArray(),
                rows.Select(r => r.IntervalSource).ToArray(),
                rows.Select(r => r.LastPushHeartbeat).ToArray(),
                rows.Select(r => r.Notifications).ToArray(),
                rows.Select(r => r.Gaps).ToArray());
            for (var i = 0; i < 8; i++)
            {
                var column = i;
                command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.EventCounts[column]).ToArray() });
            }

            command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.LastError).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.LastErrorAt is { } at ? PostgreSqlSql.Utc(at) : (DateTimeOffset?)null).ToArray() });
            return command;
        }
    }

    /// <summary>An entry to insert; <see cref="Push"/> and <see cref="Message"/> place a notification's result (-1 for lifecycle entries).</summary>
    internal sealed record NewEntry(
        long Id,
        EntryKind Kind,
        string DedupeKey,
        string? SubscriptionId,
        int MessageIndex,
        DateTimeOffset ReceivedAt,
        string? RequestServerVersion,
        string? Registration,
        string? TraceParent,
        long? BodyId,
        byte[]? Lifecycle,
        int Push,
        int Message);
}
