using Npgsql;
using PushListener.Storage.PostgreSql;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>The connection settings the listener adds to the connection string (no server needed: nothing connects).</summary>
public sealed class PostgreSqlDatabaseTests
{
    [Fact]
    public async Task WriteBufferSize_NotSet_IsLargeEnoughForAGroupOfBodiesInOneSend()
    {
        await using var database = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x"));

        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString);

        Assert.Equal(64 * 1024, settings.WriteBufferSize);
    }

    [Fact]
    public async Task WriteBufferSize_SetInTheConnectionString_IsKept()
    {
        await using var database = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x;Write Buffer Size=16384"));

        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString);

        Assert.Equal(16384, settings.WriteBufferSize);
    }

    [Theory]
    [InlineData("Write Buffer Size=8192")]
    [InlineData("WriteBufferSize=8192")]
    public async Task WriteBufferSize_SetToNpgsqlsDefault_IsKept(string setting)
    {
        await using var database = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x;" + setting));

        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString);

        Assert.Equal(8192, settings.WriteBufferSize);
    }

    [Fact]
    public async Task MaxAutoPrepare_SetToZero_IsKept_AndNotSet_Is64()
    {
        await using var off = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x;Max Auto Prepare=0"));
        await using var unset = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x"));

        Assert.Equal(0, new NpgsqlConnectionStringBuilder(off.DataSource.ConnectionString).MaxAutoPrepare);
        Assert.Equal(64, new NpgsqlConnectionStringBuilder(unset.DataSource.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public async Task CommandTimeout_NotSet_IsTheOption_AndWrittenInTheConnectionString_IsKept()
    {
        await using var written = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x;Command Timeout=30"));
        await using var unset = new PostgreSqlDatabase(PostgreSqlTestDatabase.Options("Host=127.0.0.1;Database=x"));

        Assert.Equal(30, new NpgsqlConnectionStringBuilder(written.DataSource.ConnectionString).CommandTimeout);
        Assert.Equal(10, new NpgsqlConnectionStringBuilder(unset.DataSource.ConnectionString).CommandTimeout);
    }
}
