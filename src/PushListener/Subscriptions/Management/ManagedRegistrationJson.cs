using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushListener.Subscriptions.Management;

/// <summary>A managed registration made through the admin API, as stores keep it (JSON, source-generated).</summary>
internal static class ManagedRegistrationJson
{
    public static string Serialize(ManagedRegistration registration) => JsonSerializer.Serialize(registration, ManagedRegistrationJsonContext.Default.ManagedRegistration);

    public static ManagedRegistration Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ManagedRegistrationJsonContext.Default.ManagedRegistration) ?? throw new JsonException("empty managed registration");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ManagedRegistration))]
internal sealed partial class ManagedRegistrationJsonContext : JsonSerializerContext;
