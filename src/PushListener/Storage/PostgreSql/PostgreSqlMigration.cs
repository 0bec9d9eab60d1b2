using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PushListener.Storage.PostgreSql;

/// <summary>One versioned schema script: <c>Migrations/NNNN_what_it_does.sql</c>, applied once, in version order.</summary>
internal sealed partial record PostgreSqlMigration(int Version, string Name, string Sql)
{
    private const string ResourcePrefix = "postgresql/";

    /// <summary>The scripts embedded in this binary, in version order; the last one's version is what this binary knows.</summary>
    public static IReadOnlyList<PostgreSqlMigration> Embedded { get; } = Load(typeof(PostgreSqlMigration).Assembly);

    private static PostgreSqlMigration[] Load(Assembly assembly)
    {
        var migrations = new List<PostgreSqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = resource[ResourcePrefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success)
            {
                throw new InvalidOperationException($"The embedded migration {file} is not named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new PostgreSqlMigration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        var ordered = migrations.OrderBy(m => m.Version).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i].Version != i + 1)
            {
                throw new InvalidOperationException($"The embedded migrations must be numbered 1, 2, 3... without gaps or repeats (found {ordered[i].Version} at position {i + 1}).");
            }
        }

        return ordered;
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}
