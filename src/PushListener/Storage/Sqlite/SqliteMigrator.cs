using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using PushListener.Inbox;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// Brings a database to this build's schema: the embedded scripts <c>Migrations/NNNN_name.sql</c>, in order, each in its
/// own transaction with its row in <c>schema_version</c>. A database of the first release (no <c>schema_version</c>,
/// <c>PRAGMA user_version = 1</c>) starts from script 1, which it already matches. A database newer than this build is
/// refused: this build would not know what its tables mean.
/// </summary>
internal static class SqliteMigrator
{
    private const string Prefix = "PushListener.Storage.Sqlite.Migrations.";

    /// <summary>The scripts, by version.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>Applies every script above the database's version; returns the versions applied.</summary>
    public static IReadOnlyList<int> Migrate(SqliteConnection connection, string databasePath, TimeProvider time)
    {
        SqliteDatabase.Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
        var current = Convert.ToInt32(SqliteDatabase.Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"{databasePath} has schema version {current}; this build knows versions up to {LatestVersion}. It was written by a newer " +
                $"PushListener: run that version, or set {InboxOptions.SectionName}:DataFolder to another folder.");
        }

        var applied = new List<int>();
        foreach (var (version, name, sql) in Scripts)
        {
            if (version <= current)
            {
                continue;
            }

            using var transaction = connection.BeginTransaction();
            SqliteDatabase.Execute(connection, sql);
            using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, $at)";
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$n", name);
                record.Parameters.AddWithValue("$at", time.GetUtcNow().ToUnixTimeMilliseconds());
                record.ExecuteNonQuery();
            }

            transaction.Commit();
            applied.Add(version);
        }

        return applied;
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(SqliteMigrator).Assembly;
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, name, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Item1 != i + 1)
            {
                throw new InvalidOperationException($"Migration scripts must be numbered 1, 2, 3, ... without gaps (found {scripts[i].Item2}).");
            }
        }

        return scripts;
    }
}
