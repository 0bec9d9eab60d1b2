using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushListener.Simulator.Reporting;

/// <summary>
/// <c>--json</c> output: camelCase, indented, enums as names. Source-generated, so the field names are a stable
/// contract for scripts (and the tests read them).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ScenarioSummary))]
[JsonSerializable(typeof(LoadSummary))]
[JsonSerializable(typeof(ReplaySummary))]
internal sealed partial class SummaryJson : JsonSerializerContext;
