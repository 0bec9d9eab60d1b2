using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Admin;

public sealed class InboxAdminApiTests
{
    private const string Key = "test-admin-key-0123456789abcdef";

    [Fact]
    public async Task NoKeyConfigured_AdminApiDoesNotExist()
    {
        using var factory = new ListenerFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/inbox");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-wrong-key-wrong-key")]
    [InlineData(Key + "x")]
    public async Task MissingOrWrongKey_Is401(string? presented)
    {
        using var factory = new ListenerFactory().With("PushListener:Admin:ApiKey", Key);
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/deadletters");
        if (presented is not null)
        {
            request.Headers.Add("X-Api-Key", presented);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(Key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RightKey_InHeaderOrBearer_IsAdmitted()
    {
        using var factory = new ListenerFactory().With("PushListener:Admin:ApiKey", Key);
        using var client = factory.CreateClient();
        using var viaHeader = new HttpRequestMessage(HttpMethod.Get, "/api/inbox");
        viaHeader.Headers.Add("X-Api-Key", Key);
        using var viaBearer = new HttpRequestMessage(HttpMethod.Get, "/api/inbox");
        viaBearer.Headers.Authorization = new("Bearer", Key);

        using var first = await client.SendAsync(viaHeader);
        using var second = await client.SendAsync(viaBearer);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public void ShortKey_FailsValidationNamingTheSetting()
    {
        using var factory = new ListenerFactory().With("PushListener:Admin:ApiKey", "short");
        var error = Record.Exception(() => factory.CreateClient());
        Assert.NotNull(error);
    }

    [Fact]
    public async Task DeadLetters_ListReplayPurge_ThroughTheApi()
    {
        var broken = 1;
        var handler = new RecordingHandler("hook", _ => Volatile.Read(ref broken) == 1 ? throw new HttpRequestException("down") : ValueTask.FromResult(HandlerResult.Continue));
        using var factory = new ListenerFactory()
            .With("PushListener:Admin:ApiKey", Key)
            .With("PushListener:Inbox:MaxAttempts", "1")
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "hook"));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        for (var i = 1; i <= 3; i++)
        {
            using var _ = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(i), 1)));
        }

        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/inbox")).GetProperty("deadLetters").GetInt64() == 3);
        var inbox = await client.GetFromJsonAsync<JsonElement>("/api/inbox");
        var hook = inbox.GetProperty("handlers").EnumerateArray().Single();
        Assert.Equal("hook", hook.GetProperty("handler").GetString());
        Assert.Equal(3, hook.GetProperty("failures").GetInt64());

        var letters = await client.GetFromJsonAsync<JsonElement>("/api/deadletters");
        Assert.Equal(3, letters.GetArrayLength());
        var firstId = letters[0].GetProperty("id").GetInt64();
        Assert.Contains("down", letters[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);

        Volatile.Write(ref broken, 0);
        using (var replay = await client.PostAsync($"/api/deadletters/{firstId}/replay", null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed").GetInt32());
        }

        await Eventually.TrueAsync(() => handler.Calls.Count == 4);
        using (var missing = await client.PostAsync($"/api/deadletters/{firstId}/replay", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var purge = await client.DeleteAsync("/api/deadletters"))
        {
            Assert.Equal(2, (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purged").GetInt32());
        }

        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/deadletters")).GetArrayLength());
    }
}
