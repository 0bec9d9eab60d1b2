using System.Net;
using PushListener.Protocol;

namespace PushListener.Endpoint;

/// <summary>A parsed push with what the transport knows about it.</summary>
internal sealed record ReceivedPush(PushRequest Request, DateTimeOffset ReceivedAt, IPAddress? RemoteAddress, string RequestId, ReadOnlyMemory<byte> Body, Subscriptions.Registration? Registration = null, Telemetry.PushObservation? Observation = null);
