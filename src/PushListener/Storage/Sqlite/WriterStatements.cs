using Microsoft.Data.Sqlite;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// Prepared statements of the writer connection, kept across transactions: preparing SQL costs more than running it,
/// and the writer runs the same few statements for every notification. Only code running inside
/// <see cref="GroupCommitWriter"/> (its own thread) may use them; callers must not dispose what they get.
/// </summary>
internal static class WriterStatements
{
    [ThreadStatic]
    private static Dictionary<string, SqliteCommand>? t_commands;

    [ThreadStatic]
    private static Dictionary<string, BoundStatement>? t_bound;

    [ThreadStatic]
    private static SqliteConnection? t_owner;

    [ThreadStatic]
    private static SqliteTransaction? t_transaction;

    /// <summary>The cached command for <paramref name="sql"/>, enlisted in the current transaction, with no parameters.</summary>
    public static SqliteCommand Statement(this SqliteConnection connection, string sql)
    {
        if (!ReferenceEquals(t_owner, connection) || t_commands is null)
        {
            throw new InvalidOperationException("Cached statements are for the inbox writer's own thread and connection.");
        }

        if (!t_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            t_commands[sql] = command;
        }

        command.Transaction = t_transaction;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>The cached <see cref="BoundStatement"/> for <paramref name="sql"/> (for the statements run per message).</summary>
    public static BoundStatement Prepared(this SqliteConnection connection, string sql)
    {
        if (!ReferenceEquals(t_owner, connection) || t_bound is null)
        {
            throw new InvalidOperationException("Cached statements are for the inbox writer's own thread and connection.");
        }

        if (!t_bound.TryGetValue(sql, out var statement))
        {
            statement = new BoundStatement(connection, sql);
            t_bound[sql] = statement;
        }

        return statement;
    }

    /// <summary>Called by the writer thread once, for its connection.</summary>
    internal static void Attach(SqliteConnection connection)
    {
        t_owner = connection;
        t_commands = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        t_bound = new Dictionary<string, BoundStatement>(StringComparer.Ordinal);
    }

    /// <summary>Called by the writer around each transaction.</summary>
    internal static void Enlist(SqliteTransaction? transaction) => t_transaction = transaction;

    /// <summary>Called by the writer thread when it ends.</summary>
    internal static void Detach()
    {
        foreach (var command in t_commands?.Values ?? Enumerable.Empty<SqliteCommand>())
        {
            command.Dispose();
        }

        foreach (var statement in t_bound?.Values ?? Enumerable.Empty<BoundStatement>())
        {
            statement.Dispose();
        }

        t_commands = null;
        t_bound = null;
        t_owner = null;
        t_transaction = null;
    }
}
