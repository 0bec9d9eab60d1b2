using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Feeds;

/// <summary>A feed as registered: its handle and consumer key.</summary>
internal sealed record RegisteredFeed(string Handle, string Session, string Key);

/// <summary>One fetch answer: the raw body and its fields.</summary>
internal sealed class FeedBatch
{
    public FeedBatch(string body, int byteCount)
    {
        Body = body;
        ByteCount = byteCount;
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Cursor = root.GetProperty("cursor").ValueKind == JsonValueKind.Null ? null : root.GetProperty("cursor").GetInt64();
        Pending = root.GetProperty("pending").GetBoolean();
        SessionPending = root.GetProperty("sessionPending").GetBoolean();
        PendingHandles = [.. root.GetProperty("pendingHandles").EnumerateArray().Select(e => e.GetString()!)];
        Acknowledged = root.GetProperty("acknowledged").GetInt32();
        Entries = [.. root.GetProperty("entries").EnumerateArray().Select(e => new FeedEntryView(e.GetRawText()))];
    }

    public string Body { get; }

    public int ByteCount { get; }

    public long? Cursor { get; }

    public bool Pending { get; }

    public bool SessionPending { get; }

    public IReadOnlyList<string> PendingHandles { get; }

    public int Acknowledged { get; }

    public IReadOnlyList<FeedEntryView> Entries { get; }
}

/// <summary>One entry, with its exact encoded size (what the byte budget counts).</summary>
internal sealed class FeedEntryView
{
    public FeedEntryView(string json)
    {
        Json = json;
        Size = Encoding.UTF8.GetByteCount(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Seq = root.GetProperty("seq").GetInt64();
        Kind = root.GetProperty("kind").GetString()!;
        DeliveryCount = root.GetProperty("deliveryCount").GetInt32();
        Payload = root.GetProperty("payload").Clone();
    }

    public string Json { get; }

    public int Size { get; }

    public long Seq { get; }

    public string Kind { get; }

    public int DeliveryCount { get; }

    public JsonElement Payload { get; }

    public string? SubscriptionId => Payload.TryGetProperty("subscriptionId", out var id) ? id.GetString() : null;

    /// <summary>The NewMail sequence number a <see cref="PushBuilder.NewMail"/> push carries (from its item id).</summary>
    public int MailSequence => int.Parse(Payload.GetProperty("events")[0].GetProperty("objectId").GetProperty("id").GetString()!["AAMkAD-item-".Length..], System.Globalization.CultureInfo.InvariantCulture);
}

internal static class FeedTestSupport
{
    public const string AdminKey = "feeds-admin-key-0123456789abcdef";

    public static ListenerFactory Factory() => new ListenerFactory()
        .With("PushListener:Admin:ApiKey", AdminKey)
        .With("PushListener:Handlers:log:Enabled", "false");

    public static HttpClient AdminClient(ListenerFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    public static HttpClient Consumer(ListenerFactory factory, RegisteredFeed feed)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", feed.Key);
        return client;
    }

    public static async Task<RegisteredFeed> RegisterAsync(HttpClient admin, object registration)
    {
        using var response = await admin.PostAsJsonAsync("/api/feeds", registration);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return new RegisteredFeed(root.GetProperty("handle").GetString()!, root.GetProperty("session").GetString()!, root.GetProperty("consumerKey").GetString()!);
    }

    public static async Task<FeedBatch> FetchAsync(HttpClient client, string handle, string query = "")
    {
        using var response = await client.GetAsync($"/api/feeds/{handle}/notifications" + (query.Length > 0 ? "?" + query : string.Empty));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var body = Encoding.UTF8.GetString(bytes);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return new FeedBatch(body, bytes.Length);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string handle)
    {
        using var response = await client.GetAsync($"/api/feeds/{handle}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static async Task<long> CounterAsync(HttpClient client, string handle, string counter) =>
        (await GetAsync(client, handle)).GetProperty("counters").GetProperty(counter).GetInt64();

    /// <summary>Waits until the handler has appended <paramref name="count"/> entries to the feed (the dispatcher runs after the reply).</summary>
    public static Task AppendedAsync(HttpClient admin, string handle, long count) =>
        Eventually.TrueAsync(async () => await CounterAsync(admin, handle, "appended") >= count);

    public static async Task PostAsync(HttpClient client, byte[] push)
    {
        using var response = await client.SendAsync(Soap.Post(push));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
    }
}
