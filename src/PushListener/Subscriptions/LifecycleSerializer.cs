using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushListener.Subscriptions;

/// <summary>Lifecycle events as stored in the inbox (JSON, source-generated).</summary>
internal static class LifecycleSerializer
{
    public static byte[] Serialize(LifecycleEvent lifecycle) => JsonSerializer.SerializeToUtf8Bytes(lifecycle, LifecycleJsonContext.Default.LifecycleEvent);

    public static LifecycleEvent Deserialize(byte[] body) =>
        JsonSerializer.Deserialize(body, LifecycleJsonContext.Default.LifecycleEvent) ?? throw new JsonException("empty lifecycle event");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LifecycleEvent))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
