using BenchmarkDotNet.Attributes;
using PushListener.Protocol;

namespace PushListener.Benchmarks;

/// <summary>
/// <see cref="SendNotificationReader.Read(ReadOnlyMemory{byte}, PushReaderOptions?)"/> on a body already in memory, with
/// the options the endpoint uses (1 MiB limit): exactly the work a request pays for parsing.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private static readonly PushReaderOptions EndpointOptions = new() { MaxCharacters = 1024 * 1024 };

    private ReadOnlyMemory<byte> _body;

    /// <summary>Payload names for <see cref="Payload"/>.</summary>
    public static IEnumerable<string> PayloadNames => Payloads.Names;

    /// <summary>Which request body: heartbeat, one-event or fifty-events.</summary>
    [ParamsSource(nameof(PayloadNames))]
    public string Payload { get; set; } = "heartbeat";

    [GlobalSetup]
    public void Setup()
    {
        _body = Payloads.Load(Payload);
        // Fail fast on a payload the parser refuses: a benchmark of a fault path would mislead.
        if (SendNotificationReader.Read(_body, EndpointOptions).Messages.Count == 0)
        {
            throw new InvalidOperationException($"{Payload} parsed to no message.");
        }
    }

    [Benchmark]
    public PushRequest Parse() => SendNotificationReader.Read(_body, EndpointOptions);
}
