using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Reporting;

/// <summary>What one replayed request got.</summary>
internal sealed record ReplaySummary(string Url, string File, string ContentType, int? StatusCode, DeliveryOutcome Outcome, double LatencyMs, string? Detail, string? Reply);
