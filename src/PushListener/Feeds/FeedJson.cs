using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushListener.Feeds;

/// <summary>
/// The JSON of feed entries and fetch answers. An entry is <c>{"seq","kind","deliveryCount","createdAt","payload"}</c>
/// where <c>payload</c> is the stored body unchanged: a <c>pushlistener.notification/v1</c> document (as webhooks send),
/// or for a gap record a <c>pushlistener.feedgap/v1</c> document. Entries are encoded once and their exact size is what a
/// fetch's byte budget counts.
/// </summary>
internal static class FeedJson
{
    public const string GapSchema = "pushlistener.feedgap/v1";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static FeedJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string KindName(FeedEntryKind kind) => kind switch
    {
        FeedEntryKind.Notification => "notification",
        FeedEntryKind.Error => "error",
        FeedEntryKind.Lifecycle => "lifecycle",
        _ => "gap",
    };

    /// <summary>One entry as it appears in a fetch answer and as the <c>data</c> of a stream event (one line: no indentation).</summary>
    public static byte[] Entry(long seq, FeedEntryKind kind, int deliveryCount, DateTimeOffset createdAt, byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", seq);
            writer.WriteString("kind", KindName(kind));
            writer.WriteNumber("deliveryCount", deliveryCount);
            writer.WriteString("createdAt", createdAt);
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The payload of a gap record: how many entries were dropped unacknowledged, and why (the last reason).</summary>
    public static byte[] Gap(long dropped, string reason, DateTimeOffset occurredAt)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", GapSchema);
            writer.WriteString("type", "gap");
            writer.WriteNumber("dropped", dropped);
            writer.WriteString("reason", reason);
            writer.WriteString("occurredAt", occurredAt);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The answer to a fetch.</summary>
    public static byte[] Batch(string handle, FetchResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(result.Entries.Sum(e => e.Json.Length + 1) + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("handle", handle);
            if (result.Entries.Count > 0)
            {
                writer.WriteNumber("cursor", result.Entries[^1].Seq);
            }
            else
            {
                writer.WriteNull("cursor");
            }

            writer.WriteBoolean("pending", result.Pending);
            writer.WriteBoolean("sessionPending", result.PendingHandles.Count > 0);
            writer.WriteStartArray("pendingHandles");
            foreach (var other in result.PendingHandles)
            {
                writer.WriteStringValue(other);
            }

            writer.WriteEndArray();
            writer.WriteNumber("acknowledged", result.Acknowledged);
            writer.WriteStartArray("entries");
            foreach (var entry in result.Entries)
            {
                writer.WriteRawValue(entry.Json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

[JsonSerializable(typeof(FeedScope))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;
