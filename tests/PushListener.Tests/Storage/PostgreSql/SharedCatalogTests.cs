using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Coordination;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Feeds.FeedTestSupport;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>What one instance's admin API creates, every instance serves: feeds and their long-polls, registrations and their tokens.</summary>
public sealed class SharedCatalogTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task FeedRegisteredOnOneInstance_IsServedByTheOther_AndItsLongPollWakesOnAPushToTheFirst()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance(connection);
        await using var b = Instance(connection);
        await ListeningAsync(a, b);
        using var adminA = AdminClient(a);
        var subscription = PushBuilder.SubscriptionId(7);

        var feed = await RegisterAsync(adminA, new { scope = new { subscriptionIds = new[] { subscription } } });
        using var consumerB = Consumer(b, feed);
        await Eventually.TrueAsync(async () => (await consumerB.GetAsync($"/api/feeds/{feed.Handle}")).StatusCode == HttpStatusCode.OK);

        var waiting = FetchAsync(consumerB, feed.Handle, "wait=30");
        await PostAsync(adminA, PushBuilder.NewMail(subscription, 1));

        var batch = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, Assert.Single(batch.Entries).MailSequence);
    }

    [Fact]
    public async Task RegistrationAndTokenMadeOnOneInstance_AreHonouredByTheOther_AndDeletionToo()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance(connection);
        await using var b = Instance(connection);
        await ListeningAsync(a, b);
        using var adminA = AdminClient(a);
        using var adminB = AdminClient(b);

        using (var put = await adminA.PutAsJsonAsync("/api/registrations/carol", new { mailbox = "carol@example.org", statusFrequency = 5 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var tokenResponse = await adminA.PostAsync(new Uri("/api/registrations/carol/token", UriKind.Relative), null);
        var callback = new Uri((await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callbackUrl").GetString()!).AbsolutePath;

        // B learns of the token from the database, not from its own API.
        await Eventually.TrueAsync(async () =>
        {
            using var push = await adminB.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(8), 1), path: callback));
            return push.StatusCode == HttpStatusCode.OK;
        });
        var subscription = await adminB.GetFromJsonAsync<JsonElement>("/api/subscriptions/one?id=" + Uri.EscapeDataString(PushBuilder.SubscriptionId(8)));
        Assert.Equal("carol", subscription.GetProperty("registration").GetString());

        using (var delete = await adminA.DeleteAsync(new Uri("/api/registrations/carol", UriKind.Relative)))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        await Eventually.TrueAsync(async () =>
        {
            using var push = await adminB.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(8), 2), path: callback));
            return push.StatusCode == HttpStatusCode.NotFound;
        });
    }

    [Fact]
    public async Task ManagedCallbackTokenStoredByOneInstance_IsHonouredByTheOther()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Managed(Instance(connection));
        await using var b = Managed(Instance(connection));
        await ListeningAsync(a, b);
        using var clientB = AdminClient(b);
        var store = a.Services.GetRequiredService<IManagedSubscriptionStore>();
        // The leading instance's first round makes and stores the registration's token (its Subscribe then fails: nobody listens there).
        await Eventually.TrueAsync(async () => await store.GetAsync("dave", CancellationToken.None) is not null);
        var first = (await store.GetAsync("dave", CancellationToken.None))!;
        // The test takes the manager's lead and keeps it: no manager round on either instance updates its catalog, so B
        // can only learn of the new token through the database's notification.
        var leaders = a.Services.GetRequiredService<ILeaderElection>();
        ILeaderLease? lead = null;
        await Eventually.TrueAsync(async () => (lead = await leaders.TryAcquireAsync(SubscriptionManager.Job, CancellationToken.None)) is not null);
        await using var held = lead!;
        var replaced = CallbackToken.Create();

        await store.SaveAsync(first with { CallbackToken = replaced }, [], CancellationToken.None);

        // B learns of the stored token from the database: pushes to the new URL reach the registration, the old URL is gone.
        await Eventually.TrueAsync(async () =>
        {
            using var push = await clientB.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(9), 1), path: "/ews/notifications/" + replaced));
            return push.StatusCode != HttpStatusCode.NotFound;
        });
        using var old = await clientB.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(9), 2), path: "/ews/notifications/" + first.CallbackToken));
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    private static async Task ListeningAsync(params ListenerFactory[] instances)
    {
        foreach (var instance in instances)
        {
            _ = instance.CreateClient();
            await instance.Services.GetRequiredService<PushListener.Storage.PostgreSql.PostgreSqlNotifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    // A configured managed registration without a configured token; its EWS URL is a closed loopback port.
    private static ListenerFactory Managed(ListenerFactory factory) => factory
        .With("PushListener:Subscriptions:PublicBaseUrl", "http://localhost")
        .With("PushListener:Subscriptions:Credentials:svc:Kind", "Basic")
        .With("PushListener:Subscriptions:Credentials:svc:Username", "svc@example.org")
        .With("PushListener:Subscriptions:Credentials:svc:Password", "not-used")
        .With("PushListener:Subscriptions:Credentials:svc:Impersonate", "true")
        .With("PushListener:Subscriptions:Registrations:dave:Mailbox", "dave@example.org")
        .With("PushListener:Subscriptions:Registrations:dave:Ews:Url", $"http://127.0.0.1:{PostgreSqlMigratorTests.ClosedPort()}/EWS/Exchange.asmx")
        .With("PushListener:Subscriptions:Registrations:dave:Ews:Credential", "svc");

    private static ListenerFactory Instance(string connection) => Factory()
        .With("PushListener:Storage:Provider", "PostgreSql")
        .With("ConnectionStrings:PushListener", connection);
}
