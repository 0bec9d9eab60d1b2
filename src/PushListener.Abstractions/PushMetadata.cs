namespace PushListener;

/// <summary>What the listener knew about a push when it arrived.</summary>
/// <param name="DeliveryId">A stable id of this notification in the listener (the same on every retry of the delivery).</param>
/// <param name="ReceivedAt">When the push arrived.</param>
/// <param name="RequestServerVersion">The <c>RequestServerVersion</c> header, for example <c>Exchange2013</c>.</param>
/// <param name="Registration">The registration the push came in through, when known.</param>
public sealed record PushMetadata(string DeliveryId, DateTimeOffset ReceivedAt, string? RequestServerVersion, RegistrationInfo? Registration = null);

/// <summary>A subscription registered with the listener: who it belongs to.</summary>
/// <param name="Name">The registration's name.</param>
/// <param name="Mailbox">The mailbox the subscription watches, when known.</param>
/// <param name="OwnerTag">A free-form owner tag for routing.</param>
public sealed record RegistrationInfo(string Name, string? Mailbox, string? OwnerTag);
