using System.Text.Json;
using System.Text.Json.Serialization;

namespace FeedConsumer;

/// <summary>The answer to <c>GET /api/feeds/{handle}/notifications</c>.</summary>
internal sealed record FeedBatch(string Handle, long? Cursor, bool Pending, bool SessionPending, IReadOnlyList<string> PendingHandles, int Acknowledged, IReadOnlyList<FeedEntry> Entries);

/// <summary>One entry; <see cref="Payload"/> is a <c>pushlistener.notification/v1</c> or <c>pushlistener.feedgap/v1</c> document.</summary>
internal sealed record FeedEntry(long Seq, string Kind, int DeliveryCount, DateTimeOffset CreatedAt, JsonElement Payload);

/// <summary>The body of <c>POST /api/feeds/{handle}/ack</c>.</summary>
internal sealed record FeedAck(long Cursor);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FeedBatch))]
[JsonSerializable(typeof(FeedAck))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;
