using System.Net;
using Npgsql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>The database goes away under a running listener, and comes back.</summary>
public sealed class PostgreSqlOutageTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task DatabaseUnreachable_PushesGetServerFaults_ReadinessFails_AndBothRecover()
    {
        var connection = await server.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(connection).Database!;
        await using var factory = new ListenerFactory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection)
            .With("PushListener:Storage:PostgreSql:ConnectTimeout", "00:00:02")
            .With("PushListener:Storage:PostgreSql:ConnectionCheckInterval", "00:00:00.200");
        using var client = factory.CreateClient();
        var subscription = PushBuilder.SubscriptionId(1);
        using (var first = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 1))))
        {
            Assert.Equal("OK", Soap.StatusOf(await first.Content.ReadAsStringAsync()));
        }

        await server.SetConnectionsAllowedAsync(database, allowed: false);
        try
        {
            using var refused = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 2)));
            var reply = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal("s:Server", Soap.FaultOf(reply).Code);
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }
        finally
        {
            await server.SetConnectionsAllowedAsync(database, allowed: true);
        }

        // Exchange retries the refused push: now stored and answered OK, with no gap in the chain.
        await Eventually.TrueAsync(async () =>
        {
            using var retry = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 2)));
            return retry.IsSuccessStatusCode && Soap.StatusOf(await retry.Content.ReadAsStringAsync()) == "OK";
        }, TimeSpan.FromSeconds(20));
        using var healthy = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }
}
