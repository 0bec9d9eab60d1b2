using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Subscriptions;

public sealed class CallbackTokenTests
{
    private const string Key = "subscriptions-admin-key-0123456789";
    private const string ConfiguredToken = "cfg-token-abcdefghijklmnopqrstuvwxyz012345";
    private static readonly string Sub = PushBuilder.SubscriptionId(77);

    [Fact]
    public async Task TokenFromApi_WithAPublicBaseUrl_ItsCallbackUrlIsThere_NotAtTheInstanceAsked()
    {
        // Behind a load balancer: a URL naming the instance that was asked would pin the subscription to it.
        using var factory = SubscriptionRegistryTests.Factory(out _)
            .With("PushListener:Admin:ApiKey", Key)
            .With("PushListener:Subscriptions:PublicBaseUrl", "https://push.example.com/base/");
        using var client = Admin(factory);
        using (var put = await client.PutAsJsonAsync("/api/registrations/erin", new { mailbox = "erin@example.org", statusFrequency = 15 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var token = await CreateTokenAsync(client, "erin");

        Assert.Equal("https://push.example.com/base/ews/notifications/" + token.Token, token.CallbackUrl);
        Assert.Equal("OK", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 1), "/ews/notifications/" + token.Token));
    }

    [Theory]
    [InlineData("/ews/notifications", "/ews/notifications/tok")]
    [InlineData("/hooks/exchange/", "/hooks/exchange/tok")]
    [InlineData("/", "/tok")]
    public void CallbackPath_UnderTheEndpointPath_WithOneSlashEach(string endpointPath, string expected) =>
        Assert.Equal(expected, PushListener.Subscriptions.CallbackToken.PathOf(endpointPath, "tok"));

    [Fact]
    public async Task TokenFromApi_IdentifiesTheRegistration_ForEverythingOnIt()
    {
        using var factory = SubscriptionRegistryTests.Factory(out var recorder).With("PushListener:Admin:ApiKey", Key);
        using var client = Admin(factory);
        using (var put = await client.PutAsJsonAsync("/api/registrations/bob", new { mailbox = "bob@example.org", statusFrequency = 15, ownerTag = "crm" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var token = await CreateTokenAsync(client, "bob");
        Assert.StartsWith("http://localhost/ews/notifications/", token.CallbackUrl, StringComparison.Ordinal);

        Assert.Equal("OK", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 1), new Uri(token.CallbackUrl).AbsolutePath));

        await Eventually.TrueAsync(() => !recorder.Notifications.IsEmpty);
        var registration = recorder.Notifications.Single().Push.Registration;
        Assert.Equal(("bob", "bob@example.org", "crm"), (registration!.Name, registration.Mailbox, registration.OwnerTag));
        var subscription = await client.GetFromJsonAsync<JsonElement>("/api/subscriptions/one?id=" + Uri.EscapeDataString(Sub));
        Assert.Equal("bob", subscription.GetProperty("registration").GetString());
        Assert.Equal(900, subscription.GetProperty("expectedIntervalSeconds").GetInt64());

        var registrations = await client.GetFromJsonAsync<JsonElement>("/api/registrations");
        var bob = registrations.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "bob");
        Assert.True(bob.GetProperty("hasToken").GetBoolean());
        Assert.DoesNotContain(token.Token, registrations.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToken_Is404_AndNothingIsStored()
    {
        using var factory = SubscriptionRegistryTests.Factory(out var recorder);
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(Sub, 1), path: "/ews/notifications/not-a-token-not-a-token-not-a-token"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, factory.Services.GetRequiredService<PushListener.Security.RejectionCounter>().Snapshot().Totals[PushListener.Security.RejectionReason.UnknownCallbackUrl]);
        var stats = await factory.Services.GetRequiredService<PushListener.Inbox.IEntryLog>().GetStatsAsync(CancellationToken.None);
        Assert.Equal(0, stats.Pending + stats.InFlight + stats.Done);
        Assert.Null(await factory.Services.GetRequiredService<PushListener.Subscriptions.ISubscriptionRegistry>().GetAsync(Sub, CancellationToken.None));
    }

    [Fact]
    public async Task RotatedToken_OldStopsWorking_NewWorks()
    {
        using var factory = SubscriptionRegistryTests.Factory(out _).With("PushListener:Admin:ApiKey", Key);
        using var client = Admin(factory);
        using (await client.PutAsJsonAsync("/api/registrations/carol", new { mailbox = "carol@example.org" }))
        {
        }

        var first = await CreateTokenAsync(client, "carol");
        var second = await CreateTokenAsync(client, "carol");

        using var old = await client.SendAsync(Soap.Post(PushBuilder.NewMail(Sub, 1), path: new Uri(first.CallbackUrl).AbsolutePath));
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal("OK", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 1), new Uri(second.CallbackUrl).AbsolutePath));
    }

    [Fact]
    public async Task RequireToken_BarePathIs404_ConfiguredTokenWorks()
    {
        using var factory = SubscriptionRegistryTests.Factory(out var recorder)
            .With("PushListener:Subscriptions:RequireToken", "true")
            .With("PushListener:Subscriptions:Registrations:dave:Mailbox", "dave@example.org")
            .With("PushListener:Subscriptions:Registrations:dave:Token", ConfiguredToken);
        using var client = factory.CreateClient();

        using var bare = await client.SendAsync(Soap.Post(PushBuilder.NewMail(Sub, 1)));
        Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);

        Assert.Equal("OK", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 1), "/ews/notifications/" + ConfiguredToken));
        await Eventually.TrueAsync(() => !recorder.Notifications.IsEmpty);
        Assert.Equal("dave@example.org", recorder.Notifications.Single().Push.Registration!.Mailbox);
    }

    [Fact]
    public void ConfiguredToken_TooShort_FailsValidationNamingIt()
    {
        using var factory = new ListenerFactory().With("PushListener:Subscriptions:Registrations:eve:Token", "short");
        var error = Record.Exception(() => factory.CreateClient());
        Assert.NotNull(error);
    }

    [Fact]
    public async Task MarkForUnsubscribe_ThroughTheApi()
    {
        using var factory = SubscriptionRegistryTests.Factory(out _).With("PushListener:Admin:ApiKey", Key);
        using var client = Admin(factory);
        Assert.Equal("OK", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 1)));

        using (var mark = await client.PostAsJsonAsync("/api/subscriptions/unsubscribe", new { subscriptionId = Sub }))
        {
            Assert.Equal(HttpStatusCode.OK, mark.StatusCode);
        }

        Assert.Equal("Unsubscribing", (await client.GetFromJsonAsync<JsonElement>("/api/subscriptions/one?id=" + Uri.EscapeDataString(Sub))).GetProperty("state").GetString());
        Assert.Equal("Unsubscribe", await SubscriptionRegistryTests.PostAsync(client, PushBuilder.NewMail(Sub, 2)));
        var unsubscribed = await client.GetFromJsonAsync<JsonElement>("/api/subscriptions?state=Unsubscribed");
        Assert.Equal(Sub, unsubscribed.EnumerateArray().Single().GetProperty("subscriptionId").GetString());
        using var unknown = await client.PostAsJsonAsync("/api/subscriptions/unsubscribe", new { subscriptionId = "nobody" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("/api/subscriptions")]
    [InlineData("/api/registrations")]
    [InlineData("/api/openapi/admin.json")]
    public async Task AdminEndpoints_NoKeyWrongKeyRightKey(string path)
    {
        using var factory = new ListenerFactory().With("PushListener:Admin:ApiKey", Key);
        using var client = factory.CreateClient();

        using var none = await client.GetAsync(path);
        using var wrong = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Api-Key", Key + "-wrong" } } });
        using var right = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Api-Key", Key } } });

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task OpenApi_DescribesTheAdminApi()
    {
        using var factory = new ListenerFactory().With("PushListener:Admin:ApiKey", Key);
        using var client = Admin(factory);

        var document = await client.GetFromJsonAsync<JsonElement>("/api/openapi/admin.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/subscriptions", paths);
        Assert.Contains("/api/registrations/{name}/token", paths);
        Assert.Contains("/api/deadletters/{id}/replay", paths);
    }

    private static HttpClient Admin(ListenerFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return client;
    }

    private static async Task<(string Token, string CallbackUrl)> CreateTokenAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync($"/api/registrations/{name}/token", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("token").GetString()!, body.GetProperty("callbackUrl").GetString()!);
    }
}
