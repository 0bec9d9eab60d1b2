using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Storage;

namespace PushListener.Tests.Storage;

public sealed class StorageOptionsTests
{
    [Fact]
    public void Defaults_AreSqliteWithoutAConnectionString()
    {
        var options = Resolve([]);

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
        Assert.Null(options.ConnectionString);
    }

    [Fact]
    public void PostgreSql_WithoutConnectionString_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["PushListener:Storage:Provider"] = "PostgreSql" }));

        Assert.Contains("ConnectionStrings:PushListener is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSql_ConnectionStringFromConnectionStrings_IsBound()
    {
        var options = Resolve(new()
        {
            ["PushListener:Storage:Provider"] = "postgresql",
            ["ConnectionStrings:PushListener"] = "Host=db.example.com;Database=pushlistener;Username=listener",
        });

        Assert.Equal(StorageProvider.PostgreSql, options.Provider);
        Assert.Equal("Host=db.example.com;Database=pushlistener;Username=listener", options.ConnectionString);
    }

    [Theory]
    [InlineData("Hots=db.example.com", "ConnectionStrings:PushListener is not a valid PostgreSQL connection string")]
    [InlineData("Database=pushlistener", "it names no Host")]
    public void PostgreSql_BadConnectionString_FailsNamingTheSetting(string connectionString, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["PushListener:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:PushListener"] = connectionString,
        }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSql_BadIntervals_ReportsEveryErrorAtOnce()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["PushListener:Storage:Provider"] = "PostgreSql",
            ["PushListener:Storage:PostgreSql:ConnectionCheckInterval"] = "00:00:00",
            ["PushListener:Storage:PostgreSql:ConnectTimeout"] = "00:10:00",
        }));

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Storage:PostgreSql:ConnectionCheckInterval", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Storage:PostgreSql:ConnectTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Sqlite_IgnoresTheConnectionString()
    {
        var options = Resolve(new() { ["ConnectionStrings:PushListener"] = "not a connection string" });

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
    }

    private static StorageOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<StorageOptions>>().Value;
    }
}
