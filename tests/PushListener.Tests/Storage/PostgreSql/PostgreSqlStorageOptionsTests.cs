using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Storage;
using PushListener.Storage.PostgreSql;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlStorageOptionsTests
{
    [Fact]
    public void Defaults_AreSqliteWithoutAConnectionString()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Equal("Sqlite", provider.GetRequiredService<IOptions<StorageOptions>>().Value.Provider);
        Assert.Empty(provider.GetServices<IValidateOptions<PostgreSqlStorageOptions>>());
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
            ["PushListener:Storage:PostgreSql:CommandTimeout"] = "00:00:00.500",
        }));

        Assert.Equal(4, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Storage:PostgreSql:CommandTimeout", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Storage:PostgreSql:ConnectionCheckInterval", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Storage:PostgreSql:ConnectTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Sqlite_IgnoresTheConnectionString()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:PushListener"] = "not a connection string" }).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Equal("Sqlite", provider.GetRequiredService<IOptions<StorageOptions>>().Value.Provider);
    }

    [Fact]
    public void UnknownProvider_FailsNamingTheSettingAndTheChoices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PushListener:Storage:Provider"] = "Oracle" }).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("PushListener:Storage:Provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSql", error.Message, StringComparison.Ordinal);
    }

    private static PostgreSqlStorageOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PostgreSqlStorageOptions>>().Value;
    }
}
